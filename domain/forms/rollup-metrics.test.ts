import { describe, expect, it } from '@jest/globals';
import { compileForm } from './compile.js';
import { FormDefinition } from './definition.js';
import { countyAnnualReport, minimalDefinitionInput, realForm } from './fixtures.js';
import { rollupSpec } from './rollup-metrics.js';

const form = realForm();
const spec = rollupSpec(form);

describe('rollupSpec of the county annual report', () => {
  it('compares the metrics in the order of rollup.compare', () => {
    expect(spec.compare.map((metric) => metric.key)).toEqual(countyAnnualReport().rollup.compare);
  });

  it('marks fields and derived indicators by source', () => {
    const derivedKeys = new Set(form.derived.map((indicator) => indicator.key));
    for (const metric of spec.compare) {
      expect(metric.source).toBe(derivedKeys.has(metric.key) ? 'derived' : 'field');
    }
    expect(spec.compare.find((metric) => metric.key === 'holdingsTotal')).toEqual({
      key: 'holdingsTotal',
      label: { zh: '总藏量', en: 'Total holdings' },
      unit: { zh: '册(件)', en: 'volumes (items)' },
      source: 'field',
      numeric: true,
    });
    expect(spec.compare.find((metric) => metric.key === 'newAcquisitionsPerCapita')).toMatchObject({
      source: 'derived',
      numeric: true,
      scale: 3,
    });
    expect(spec.compare.find((metric) => metric.key === 'dedicatedBookBudget')).toMatchObject({
      source: 'field',
      numeric: false,
    });
  });

  it('lists the year-over-year fields', () => {
    expect(spec.yearOverYear.map((metric) => metric.key)).toEqual([
      'holdingsTotal',
      'fundingTotal',
      'bookFunds',
      'staffTotal',
    ]);
  });

  it('tallies the nine problem codes of problemCategories', () => {
    expect(spec.problems?.key).toBe('problemCategories');
    expect(spec.problems?.choices.map((choice) => choice.code)).toEqual([
      'space',
      'staffShortage',
      'staffExpertise',
      'bookFunding',
      'operatingFunding',
      'facilities',
      'digital',
      'collection',
      'other',
    ]);
  });

  it('has no problems entry when the form declares none', () => {
    const input = minimalDefinitionInput();
    input.rollup = { compare: ['total'] };
    const minimal = rollupSpec(compileForm(FormDefinition.parse(input)));
    expect(minimal).toEqual({
      compare: [
        { key: 'total', label: { zh: '总数', en: 'Total' }, source: 'field', numeric: true },
      ],
      yearOverYear: [],
    });
  });
});
