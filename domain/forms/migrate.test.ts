import { describe, expect, it } from '@jest/globals';
import { FormDefinition, type Migration } from './definition.js';
import { countyAnnualReport } from './fixtures.js';
import { keyInLaterVersion, keysAcrossVersions, upgradeValues } from './migrate.js';

/** The real form as `version`, declaring `migrations` (the fields themselves are not changed). */
const version = (name: string, migrations: Migration[]): FormDefinition =>
  FormDefinition.parse({ ...countyAnnualReport(), version: name, migrations });

const NOTE = 'test';
const definitions = [
  version('2026.1', []),
  version('2027.1', [
    { field: 'loans', change: 'rename', to: 'circulation', note: NOTE },
    { field: 'eventsTotal', change: 'drop', note: NOTE },
  ]),
  // readingSeats stays int in the real form: an int kept, a decimal dropped.
  version('2028.1', [
    { field: 'circulation', change: 'rename', to: 'circulationTotal', note: NOTE },
    { field: 'readingSeats', change: 'retype', note: NOTE },
    { field: 'staffTotal', change: 'retype', note: NOTE },
  ]),
];

/** Renames that shift keys within one version: visits → loans, loans → circulation. */
const shifted = [
  version('2026.1', []),
  version('2027.1', [
    { field: 'visits', change: 'rename', to: 'loans', note: NOTE },
    { field: 'loans', change: 'rename', to: 'circulation', note: NOTE },
  ]),
];

describe('upgradeValues', () => {
  it('applies every later version’s migrations in order', () => {
    const stored = { loans: 500, eventsTotal: 12, readingSeats: 120, staffTotal: 6.5, visits: 9 };
    expect(upgradeValues(definitions, '2026.1', stored)).toEqual({
      circulationTotal: 500,
      readingSeats: 120,
      visits: 9,
    });
    // Written under 2027.1: only 2028.1's migrations apply.
    expect(upgradeValues(definitions, '2027.1', { circulation: 7, eventsTotal: 3 })).toEqual({
      circulationTotal: 7,
      eventsTotal: 3,
    });
    // Written under the newest, or without the migrated fields: as stored.
    const newest = { circulationTotal: 1 };
    expect(upgradeValues(definitions, '2028.1', newest)).toBe(newest);
    expect(upgradeValues(definitions, '2026.1', { visits: 1 })).toEqual({ visits: 1 });
    expect(stored.loans).toBe(500);
  });

  it("reads each version's migrations from the values the version before left, in any order", () => {
    expect(upgradeValues(shifted, '2026.1', { loans: 500, visits: 9 })).toEqual({
      circulation: 500,
      loans: 9,
    });
  });
});

describe('upgradeValues of a retyped choice', () => {
  it('keeps a code the new version still offers and drops one it does not', () => {
    const real = countyAnnualReport();
    const grade = real.sections
      .flatMap((section) => section.fields)
      .find((field) => field.type === 'choice');
    if (grade?.type !== 'choice') throw new Error('no choice field');
    const [kept, dropped] = grade.choices;
    if (!kept || !dropped) throw new Error('too few choices');
    const narrowed = structuredClone(real);
    for (const field of narrowed.sections.flatMap((section) => section.fields)) {
      if (field.key === grade.key && field.type === 'choice') {
        field.choices = field.choices.filter((choice) => choice.code !== dropped.code);
      }
    }
    const versions = [
      real,
      FormDefinition.parse({
        ...narrowed,
        version: '2027.1',
        migrations: [{ field: grade.key, change: 'retype', note: NOTE }],
      }),
    ];
    expect(upgradeValues(versions, '2026.1', { [grade.key]: kept.code })).toEqual({
      [grade.key]: kept.code,
    });
    expect(upgradeValues(versions, '2026.1', { [grade.key]: dropped.code })).toEqual({});
  });
});

describe('upgradeValues of a retyped group', () => {
  /** 2027.1: incidents' loss written as text, `other` no longer a kind, at most `maxItems`. */
  const retyped = (maxItems: number) => {
    const definition = structuredClone(countyAnnualReport());
    for (const field of definition.sections.flatMap((section) => section.fields)) {
      if (field.key !== 'incidents' || field.type !== 'group') continue;
      field.maxItems = maxItems;
      field.fields = field.fields.map((sub) => {
        if (sub.key === 'lossYuan')
          return { key: sub.key, label: sub.label, type: 'text', maxLength: 200, required: false };
        if (sub.type === 'choice')
          return { ...sub, choices: sub.choices.filter((c) => c.code !== 'other') };
        return sub;
      });
    }
    return [
      countyAnnualReport(),
      FormDefinition.parse({
        ...definition,
        version: '2027.1',
        migrations: [{ field: 'incidents', change: 'retype', note: NOTE }],
      }),
    ];
  };
  const incidents = [
    { date: '2025-07-12', kind: 'flood', description: '暴雨进水', lossYuan: 20000 },
    { date: '2025-09-01', kind: 'other', description: '停电' },
  ];

  it('keeps every entry with the sub-values the new sub-fields hold', () => {
    expect(upgradeValues(retyped(20), '2026.1', { incidents, visits: 9 })).toEqual({
      incidents: [
        { date: '2025-07-12', kind: 'flood', description: '暴雨进水' },
        { date: '2025-09-01', description: '停电' },
      ],
      visits: 9,
    });
    expect(incidents[0]?.lossYuan).toBe(20000);
  });

  it('drops the group when it has more entries than the new version takes', () => {
    expect(upgradeValues(retyped(1), '2026.1', { incidents })).toEqual({});
  });
});

describe('keysAcrossVersions', () => {
  it('adds the names a field had before it was renamed', () => {
    expect(keysAcrossVersions(definitions, ['circulationTotal', 'visits']).sort()).toEqual([
      'circulation',
      'circulationTotal',
      'loans',
      'visits',
    ]);
  });
});

describe('keyInLaterVersion', () => {
  it('follows a field through every rename since its version, and loses it once dropped', () => {
    expect(keyInLaterVersion(definitions, '2026.1', 'loans')).toBe('circulationTotal');
    expect(keyInLaterVersion(definitions, '2027.1', 'circulation')).toBe('circulationTotal');
    expect(keyInLaterVersion(definitions, '2026.1', 'eventsTotal')).toBeUndefined();
    // A retype keeps the key; a field no migration names stays as it is.
    expect(keyInLaterVersion(definitions, '2026.1', 'readingSeats')).toBe('readingSeats');
    expect(keyInLaterVersion(definitions, '2026.1', 'visits')).toBe('visits');
  });

  it('applies one migration per version, so renames that shift keys land where values do', () => {
    expect(keyInLaterVersion(shifted, '2026.1', 'visits')).toBe('loans');
    expect(keyInLaterVersion(shifted, '2026.1', 'loans')).toBe('circulation');
  });
});
