import { describe, expect, it } from '@jest/globals';
import { formRegistry } from '../../adapters/form-catalog.js';
import { importNarrative, narrativeFieldsOf } from './form.js';

const form = formRegistry.get('county-annual-report');
if (!form) throw new Error('the catalog must have the annual report');

describe('narrativeFieldsOf', () => {
  it('passes every field with its type, bounds, scale and choices', () => {
    const fields = narrativeFieldsOf(form);
    expect(fields.size).toBe(form.fields.size);
    expect(fields.get('servicePopulation')).toEqual({ type: 'int', min: 1000, max: 5_000_000 });
    expect(fields.get('floorArea')).toMatchObject({ type: 'decimal', scale: 1, max: 200_000 });
    expect(fields.get('problemCategories')?.choices).toContain('bookFunding');
  });
});

describe('importNarrative', () => {
  it('drops suggestions that break an error rule together', () => {
    const result = importNarrative(
      form,
      '示范县图书馆2025年度工作总结\n馆藏图书3000册，全年新增图书5000册，接待读者2万人次。',
    );
    expect(result.values).toEqual({ visits: 20_000 });
    expect(
      result.unmapped.filter((item) => item.reason === 'ruleConflict').map((item) => item.field),
    ).toEqual(['holdingsTotal', 'newAcquisitions']);
  });

  it('keeps suggestions that satisfy the rules, staff split included', () => {
    const result = importNarrative(
      form,
      '示范县图书馆2025年度工作总结\n全馆现有职工7人，其中在编人员5人，公益性岗位2人。',
    );
    expect(result.values).toEqual({ staffTotal: 7, staffEstablished: 5, staffOther: 2 });
  });

  it('does not hold a missing optional part against a total', () => {
    const result = importNarrative(
      form,
      '示范县图书馆2025年度工作总结\n全馆现有职工7人，在编5人。',
    );
    expect(result.values).toEqual({ staffTotal: 7, staffEstablished: 5 });
  });
});
