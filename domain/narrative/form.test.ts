import { describe, expect, it } from '@jest/globals';
import { formRegistry } from '../../adapters/form-catalog.js';
import { compileForm } from '../forms/compile.js';
import { FormDefinition } from '../forms/definition.js';
import { countyAnnualReport } from '../forms/fixtures.js';
import { importNarrative, narrativeFieldsOf } from './form.js';
import { RULES_FORM } from './rules.js';

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

describe('importNarrative on another version of the form than the rules name', () => {
  const SUMMARY = '示范县图书馆2025年度工作总结\n电子阅览室接待读者4200人次。共有古籍35册。';

  /** The rules' version with `change` applied to every field and `migrations` declared. */
  const versionOf = (
    version: string,
    change: (key: string) => string | undefined,
    migrations: FormDefinition['migrations'] = [],
  ) => {
    const definition = structuredClone(countyAnnualReport());
    for (const section of definition.sections) {
      section.fields = section.fields.flatMap((field) => {
        const key = change(field.key);
        return key === undefined ? [] : [{ ...field, key }];
      });
    }
    return FormDefinition.parse({ ...definition, version, migrations });
  };
  const renamed = (key: string) => (key === 'eReadingVisits' ? 'digitalVisits' : key);

  it('names the rules’ version of the annual report, which the catalog has', () => {
    expect(formRegistry.get(RULES_FORM.formId, RULES_FORM.version)).toBeDefined();
  });

  it('suggests a field renamed since under its new key, and no field dropped since', () => {
    const later = versionOf(
      '2026.2',
      (key) => (key === 'ancientBooks' ? undefined : renamed(key)),
      [
        { field: 'eReadingVisits', change: 'rename', to: 'digitalVisits', note: 'all online' },
        { field: 'ancientBooks', change: 'drop', note: 'in local documents' },
      ],
    );
    const result = importNarrative(compileForm(later), SUMMARY, [countyAnnualReport(), later]);
    expect(result.values).toEqual({ digitalVisits: 4200 });
    expect(result.evidence.map((item) => item.field)).toEqual(['digitalVisits']);
    expect(result.unmapped.map((item) => [item.field, item.reason])).toEqual([
      ['ancientBooks', 'notInForm'],
    ]);
  });

  it('suggests a field of an older version under the key it had then', () => {
    // An earlier version called the e-reading visits eReadingRoomVisits; the rules' renamed it.
    const earlier = versionOf('2025.1', (key) =>
      key === 'eReadingVisits' ? 'eReadingRoomVisits' : key,
    );
    const rulesVersion = FormDefinition.parse({
      ...countyAnnualReport(),
      migrations: [
        { field: 'eReadingRoomVisits', change: 'rename', to: 'eReadingVisits', note: 'shorter' },
      ],
    });
    const result = importNarrative(compileForm(earlier), SUMMARY, [earlier, rulesVersion]);
    expect(result.values).toEqual({ eReadingRoomVisits: 4200, ancientBooks: 35 });
  });

  it('names no field for a figure whose field the form lacks when the form gave its key to another', () => {
    // 2026.2 drops eReadingVisits and gives the name to the ancient books.
    const later = versionOf(
      '2026.2',
      (key) =>
        key === 'eReadingVisits' ? undefined : key === 'ancientBooks' ? 'eReadingVisits' : key,
      [
        { field: 'eReadingVisits', change: 'drop', note: 'not collected' },
        { field: 'ancientBooks', change: 'rename', to: 'eReadingVisits', note: 'a test' },
      ],
    );
    const result = importNarrative(compileForm(later), SUMMARY, [countyAnnualReport(), later]);
    expect(result.values).toEqual({ eReadingVisits: 35 });
    expect(result.unmapped.map((item) => [item.field, item.reason])).toEqual([[null, 'notInForm']]);
  });

  it('reads the rules’ own version, and a catalog without it, by the keys as they are', () => {
    const later = versionOf('2026.2', renamed, [
      { field: 'eReadingVisits', change: 'rename', to: 'digitalVisits', note: 'all online' },
    ]);
    expect(importNarrative(form, SUMMARY).values).toEqual({
      eReadingVisits: 4200,
      ancientBooks: 35,
    });
    // Without the versions between, the renamed field cannot be followed, nor told from an
    // added one to read by its label.
    expect(importNarrative(compileForm(later), SUMMARY).values).toEqual({ ancientBooks: 35 });
  });
});

describe('importNarrative on a field the rules do not know', () => {
  const SUMMARY =
    '示范县图书馆2025年度工作总结\n全馆现有志愿者86人，全年举办线上活动12场，馆藏图书12万册。';
  /** The rules' version with a volunteers field added to the staff section, as 2026.2. */
  const withVolunteers = () => {
    const definition = structuredClone(countyAnnualReport());
    const staffing = definition.sections.find((section) => section.key === 'staffing');
    const staffTotal = staffing?.fields.find((field) => field.key === 'staffTotal');
    if (!staffing || !staffTotal) throw new Error('the fixture must have the staff total');
    staffing.fields.push({
      ...staffTotal,
      key: 'volunteers',
      label: { zh: '志愿者人数', en: 'Volunteers' },
      required: false,
    });
    return FormDefinition.parse({ ...definition, version: '2026.2' });
  };

  it('reads a field added since the rules’ version by its label and unit', () => {
    const later = withVolunteers();
    const result = importNarrative(compileForm(later), SUMMARY, [countyAnnualReport(), later]);
    expect(result.values).toEqual({ volunteers: 86, holdingsTotal: 120_000 });
    expect(result.evidence.find((item) => item.field === 'volunteers')?.quote).toBe(
      '全馆现有志愿者86人',
    );
  });

  it('reads every number field without a written rule by its label on another form', () => {
    const township = FormDefinition.parse({ ...countyAnnualReport(), formId: 'township-report' });
    const result = importNarrative(compileForm(township), SUMMARY, [township]);
    expect(result.values).toEqual({ onlineEvents: 12, holdingsTotal: 120_000 });
  });

  it('leaves a field of the rules’ version without a rule unread, as the rules chose', () => {
    // onlineEvents (线上活动, 场) is in 2026.1 and has no rule on purpose.
    const result = importNarrative(form, SUMMARY);
    expect(result.values).toEqual({ holdingsTotal: 120_000 });
    expect(result.unmapped.map((item) => item.field)).not.toContain('onlineEvents');
  });
});
