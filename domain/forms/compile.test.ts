import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { DefinitionError } from './check.js';
import {
  answeredValues,
  compileForm,
  computeDerived,
  evaluateRules,
  type FormValues,
  hiddenFields,
  type RuleViolation,
  validateDraft,
  validateFinal,
  withShowWhenInputs,
} from './compile.js';
import { type FieldDefinition, FormDefinition, type ScalarField } from './definition.js';
import { minimalDefinitionInput, realForm, wuxiangReport2025 } from './fixtures.js';
import {
  childrenRoomDefinition,
  childrenRoomForm,
  ROOM,
  ROOM_STAFF,
  SEAT_SHARE,
  SEATS,
  SEATS_RULE,
  SEATS_WARNING,
} from './show-when-fixtures.js';

const form = realForm();

const REQUIRED_FIELDS = [
  'servicePopulation',
  'floorArea',
  'assessmentGrade',
  'holdingsTotal',
  'newAcquisitions',
  'visits',
  'loans',
  'eventsTotal',
  'staffTotal',
  'staffEstablished',
  'fundingTotal',
  'bookFunds',
  'dedicatedBookBudget',
];

const without = (values: FormValues, ...keys: string[]): FormValues =>
  Object.fromEntries(Object.entries(values).filter(([key]) => !keys.includes(key)));

/** Every field error of a draft holding only `values`, checked to carry both languages. */
const draftErrors = (values: FormValues) => {
  const { fieldErrors } = validateDraft(form, values);
  for (const error of fieldErrors) {
    expect(error.message.zh.length).toBeGreaterThan(0);
    expect(error.message.en.length).toBeGreaterThan(0);
    expect(error.code.length).toBeGreaterThan(0);
  }
  return fieldErrors;
};

describe('the compiled county annual report', () => {
  it('has every field of the data dictionary, required ones as required', () => {
    expect(form.fields.size).toBe(52);
    expect(
      [...form.fields.values()].filter((field) => field.required).map((field) => field.key),
    ).toEqual(REQUIRED_FIELDS);
    expect(form.requiredWhen.get('problemDetails')?.source).toBe('count(problemCategories) > 0');
  });

  it('throws DefinitionError listing the problems of a broken definition', () => {
    const input = minimalDefinitionInput();
    input.rules = [
      {
        id: 'broken',
        severity: 'error',
        check: 'nosuchField <= total',
        message: { zh: '坏', en: 'Broken' },
      },
    ];
    let thrown: unknown;
    try {
      compileForm(FormDefinition.parse(input));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(DefinitionError);
    if (!(thrown instanceof DefinitionError)) throw new Error('expected DefinitionError');
    expect(thrown.problems).toEqual([
      { path: ['rules', 0, 'check'], message: expect.stringContaining('nosuchField') },
    ]);
    expect(thrown.message).toContain('mini-form 2026.1');
  });
});

describe('field types at their boundaries (validateDraft)', () => {
  const text = (length: number) => '书'.repeat(length);

  it.each<[string, unknown]>([
    ['holdingsTotal', 0],
    ['holdingsTotal', 129000],
    ['holdingsTotal', Number.MAX_SAFE_INTEGER],
    ['servicePopulation', 1000],
    ['servicePopulation', 5000000],
    ['floorArea', 0],
    ['floorArea', 2861.4],
    ['floorArea', 200000],
    ['weeklyOpenHours', 168],
    ['digitalResourcesTB', 12.75],
    ['digitalResourcesTB', 0.01],
    ['fundingTotal', 129000],
    ['fundingTotal', 0],
    ['dedicatedBookBudget', true],
    ['dedicatedBookBudget', false],
    ['assessmentGrade', 'grade1'],
    ['assessmentGrade', 'none'],
    ['problemCategories', ['space', 'bookFunding']],
    ['problemCategories', []],
    ['plans', text(4000)],
    ['plans', ''],
    ['incidents', [{ date: '2025-07-30', kind: 'flood' }]],
    ['incidents', [{ date: '2024-02-29', kind: 'other', description: text(4000), lossYuan: 0 }]],
    ['incidents', [{ description: text(4000) }]],
    ['incidents', []],
  ])('accepts %s = %j', (key, value) => {
    expect(draftErrors({ [key]: value })).toEqual([]);
  });

  it.each<[string, unknown, string?]>([
    ['holdingsTotal', -1],
    ['holdingsTotal', 1.5],
    ['holdingsTotal', '12'],
    ['holdingsTotal', '12.9万'],
    ['holdingsTotal', 2 ** 53],
    ['holdingsTotal', Number.NaN],
    ['holdingsTotal', Number.POSITIVE_INFINITY],
    ['holdingsTotal', null],
    ['servicePopulation', 999],
    ['servicePopulation', 5000001],
    ['floorArea', 2861.45],
    ['floorArea', 200000.1],
    ['floorArea', -0.1],
    ['weeklyOpenHours', 168.1],
    ['digitalResourcesTB', 12.755],
    ['digitalResourcesTB', '12.75'],
    ['fundingTotal', 1.5],
    ['fundingTotal', -1],
    ['fundingTotal', '12.9万'],
    ['dedicatedBookBudget', 'true'],
    ['dedicatedBookBudget', 1],
    ['dedicatedBookBudget', null],
    ['assessmentGrade', 'grade9'],
    ['assessmentGrade', 'Grade1'],
    ['assessmentGrade', 1],
    ['problemCategories', ['space', 'space']],
    ['problemCategories', ['space', 'parking'], 'problemCategories.1'],
    ['problemCategories', 'space'],
    ['problemCategories', null],
    ['plans', text(4001)],
    ['plans', 42],
    ['incidents', [{ date: '2025-02-30', kind: 'flood' }], 'incidents.0.date'],
    ['incidents', [{ date: '30/07/2025', kind: 'flood' }], 'incidents.0.date'],
    ['incidents', [{ date: '2025-07-30T00:00:00Z' }], 'incidents.0.date'],
    ['incidents', [{ date: '2025-07-30', kind: 'flood', extra: 1 }], 'incidents.0.extra'],
    ['incidents', [{ date: '2025-07-30', kind: 'tornado' }], 'incidents.0.kind'],
    ['incidents', [{ kind: 'flood', lossYuan: 1.5 }], 'incidents.0.lossYuan'],
    ['incidents', [{ description: text(4001) }], 'incidents.0.description'],
    ['incidents', [{}, 'flood'], 'incidents.1'],
    ['incidents', { date: '2025-07-30' }],
    ['incidents', Array.from({ length: 51 }, () => ({}))],
  ])('rejects %s = %j', (key, value, path = key) => {
    const errors = draftErrors({ [key]: value });
    expect(errors.length).toBeGreaterThan(0);
    for (const error of errors) expect(error.path).toBe(path);
  });

  it('rejects an unknown top-level key at its own path with code unknown_field', () => {
    const errors = draftErrors({ holdingsTotal: 1, holdingTotal: 1 });
    expect(errors).toEqual([
      {
        path: 'holdingTotal',
        code: 'unknown_field',
        message: {
          zh: expect.stringContaining('holdingTotal'),
          en: 'Unknown field "holdingTotal"',
        },
      },
    ]);
  });

  it('rejects a body that is not an object', () => {
    for (const body of [null, [], 'report', 3]) {
      const report = validateDraft(form, body);
      expect(report.fieldErrors).toHaveLength(1);
      expect(report.fieldErrors[0]?.path).toBe('(body)');
    }
  });

  it('says what is wrong in both languages', () => {
    expect(draftErrors({ servicePopulation: 999 })[0]?.message).toEqual({
      zh: '不能小于 1000',
      en: 'Must be at least 1000',
    });
    expect(draftErrors({ floorArea: 2861.45 })[0]?.message).toEqual({
      zh: '最多 1 位小数',
      en: 'At most 1 decimal place',
    });
    expect(draftErrors({ fundingTotal: 1.5 })[0]?.message.zh).toBe('金额应为整数元');
    expect(draftErrors({ assessmentGrade: 'grade9' })[0]?.message.zh).toContain('grade1');
  });

  it('an empty draft is valid', () => {
    expect(validateDraft(form, {}).fieldErrors).toEqual([]);
  });
});

describe('cross-field rules', () => {
  const base = wuxiangReport2025();

  const outcome = (changes: FormValues, previous?: FormValues, values = base) =>
    validateFinal(form, { ...values, ...changes }, previous);

  const violation = (
    report: ReturnType<typeof validateFinal>,
    ruleId: string,
  ): RuleViolation | undefined =>
    [...report.ruleErrors, ...report.warnings].find((candidate) => candidate.ruleId === ruleId);

  const expectViolated = (
    report: ReturnType<typeof validateFinal>,
    ruleId: string,
    severity: 'error' | 'warning',
    fields: string[],
  ) => {
    const found = violation(report, ruleId);
    expect(found).toBeDefined();
    expect(found?.severity).toBe(severity);
    expect([...(found?.fields ?? [])].sort()).toEqual([...fields].sort());
    expect(found?.message.zh.length).toBeGreaterThan(0);
    expect(found?.message.en.length).toBeGreaterThan(0);
    const list = severity === 'error' ? report.ruleErrors : report.warnings;
    expect(list.map((entry) => entry.ruleId)).toContain(ruleId);
  };

  const expectHolds = (report: ReturnType<typeof validateFinal>, ruleId: string) => {
    expect(violation(report, ruleId)).toBeUndefined();
    expect(report.skippedRules).not.toContain(ruleId);
  };

  it.each<[string, 'error' | 'warning', string[], FormValues, FormValues]>([
    [
      'newWithinHoldings',
      'error',
      ['newAcquisitions', 'holdingsTotal'],
      { newAcquisitions: 129000 },
      { newAcquisitions: 129001 },
    ],
    [
      'booksWithinHoldings',
      'error',
      ['holdingsBooks', 'holdingsTotal'],
      { holdingsBooks: 129000 },
      { holdingsBooks: 129001 },
    ],
    [
      'staffSplit',
      'error',
      ['staffEstablished', 'staffOther', 'staffTotal'],
      { staffEstablished: 5, staffOther: 1, staffTotal: 6 },
      { staffEstablished: 5, staffOther: 2, staffTotal: 6 },
    ],
    [
      'titlesWithinStaff',
      'error',
      ['staffSeniorTitle', 'staffMidTitle', 'staffJuniorTitle', 'staffTotal'],
      { staffSeniorTitle: 1, staffMidTitle: 3, staffJuniorTitle: 2 },
      { staffSeniorTitle: 1, staffMidTitle: 3, staffJuniorTitle: 3 },
    ],
    [
      'libraryScienceWithinStaff',
      'error',
      ['staffLibraryScience', 'staffTotal'],
      { staffLibraryScience: 6 },
      { staffLibraryScience: 7 },
    ],
    [
      'agedWithinStaff',
      'error',
      ['staffAged50Plus', 'staffTotal'],
      { staffAged50Plus: 6 },
      { staffAged50Plus: 7 },
    ],
    [
      'bookFundsWithinTotal',
      'error',
      ['bookFunds', 'fundingTotal'],
      { bookFunds: 1290000 },
      { bookFunds: 1290001 },
    ],
    [
      'eventKindsWithinTotal',
      'warning',
      ['lectures', 'exhibitions', 'trainings', 'onlineEvents', 'eventsTotal'],
      { eventsTotal: 36 },
      { eventsTotal: 35 },
    ],
    [
      'detailsForProblems',
      'error',
      ['problemCategories', 'problemDetails'],
      { problemCategories: [], problemDetails: undefined },
      { problemDetails: undefined },
    ],
    [
      'visitsPerCapitaHigh',
      'warning',
      ['visits', 'servicePopulation'],
      { visits: 1650000 },
      { visits: 1650001 },
    ],
  ])(
    '%s (%s) holds at its edge and is violated just past it',
    (ruleId, severity, fields, ok, bad) => {
      expectHolds(outcome(ok), ruleId);
      const report = outcome(bad);
      expectViolated(report, ruleId, severity, fields);
      // Nothing else breaks: the examples move one rule only.
      expect([...report.ruleErrors, ...report.warnings].map((entry) => entry.ruleId)).toEqual([
        ruleId,
      ]);
    },
  );

  // The dictionary: a rule whose inputs are missing is skipped; on final submission only the
  // required inputs are reported as missing. A blank optional part is not read as 0.
  it.each([
    ['staffSplit', 'staffOther'],
    ['titlesWithinStaff', 'staffJuniorTitle'],
    ['eventKindsWithinTotal', 'onlineEvents'],
  ])('%s is skipped, not failed, when the optional %s is blank', (ruleId, blankKey) => {
    // staffTotal 6 and staffEstablished 5 (the base) with staffOther blank is the refused case.
    const values = without(base, blankKey);
    for (const report of [validateFinal(form, values), validateDraft(form, values)]) {
      expect(report.fieldErrors).toEqual([]);
      expect(report.ruleErrors).toEqual([]);
      expect(report.warnings).toEqual([]);
      expect(report.skippedRules).toContain(ruleId);
    }
  });

  it('detailsForProblems wants non-empty details', () => {
    expectViolated(outcome({ problemDetails: '' }), 'detailsForProblems', 'error', [
      'problemCategories',
      'problemDetails',
    ]);
    expectHolds(
      outcome({ problemCategories: ['other'], problemDetails: '其他' }),
      'detailsForProblems',
    );
  });

  it('skips a rule naming a value that failed its own check', () => {
    const report = outcome({ staffOther: 1.5 });
    expect(report.fieldErrors.map((error) => error.path)).toEqual(['staffOther']);
    expect(report.ruleErrors).toEqual([]);
    expect(report.skippedRules).toContain('staffSplit');
  });

  it('skips a rule naming an invalid value even through coalesce(), whose fallback fills only a blank', () => {
    const input = minimalDefinitionInput();
    input.rules = [
      {
        id: 'partOrFive',
        severity: 'error',
        check: 'coalesce(part, 5) <= total',
        message: { zh: '部分不能大于总数', en: 'Part cannot exceed total' },
      },
    ];
    const mini = compileForm(FormDefinition.parse(input));
    const invalid = validateFinal(mini, { total: 0, part: 1.5 });
    expect(invalid.fieldErrors.map((error) => error.path)).toEqual(['part']);
    expect(invalid.ruleErrors).toEqual([]);
    expect(invalid.skippedRules).toEqual(['partOrFive']);
    const blank = validateFinal(mini, { total: 0 });
    expect(blank.ruleErrors.map((entry) => entry.ruleId)).toEqual(['partOrFive']);
  });

  describe('year-over-year rules', () => {
    const previous: FormValues = { holdingsTotal: 100000, fundingTotal: 1000000 };

    it.each([
      ['holdingsJump', 'holdingsTotal', 120000, 120001],
      ['holdingsJump', 'holdingsTotal', 80000, 79999],
      ['fundingJump', 'fundingTotal', 1300000, 1300001],
      ['fundingJump', 'fundingTotal', 700000, 699999],
    ] as const)('%s: %s %i is within, %i is a warning', (ruleId, key, inside, outside) => {
      const changes = (value: number): FormValues =>
        key === 'fundingTotal' ? { fundingTotal: value } : { holdingsTotal: value };
      expectHolds(outcome(changes(inside), previous), ruleId);
      expectViolated(outcome(changes(outside), previous), ruleId, 'warning', [key]);
    });

    it('are skipped without a previous period, or when it lacks the value', () => {
      expect(outcome({}).skippedRules).toEqual(['holdingsJump', 'fundingJump']);
      expect(outcome({}, {}).skippedRules).toEqual(['holdingsJump', 'fundingJump']);
      expect(outcome({}, { holdingsTotal: 129000 }).skippedRules).toEqual(['fundingJump']);
    });

    it('are marked as year-over-year in the compiled rules', () => {
      expect(form.rules.filter((rule) => rule.yearOverYear).map((rule) => rule.id)).toEqual([
        'holdingsJump',
        'fundingJump',
      ]);
    });
  });
});

describe('missing values', () => {
  const partial: FormValues = { holdingsTotal: 129000, newAcquisitions: 2200, visits: 80000 };

  it('a partial draft passes, with the undecidable rules skipped', () => {
    const report = validateDraft(form, partial);
    expect(report.fieldErrors).toEqual([]);
    expect(report.ruleErrors).toEqual([]);
    expect(report.warnings).toEqual([]);
    expect(report.skippedRules).toEqual([
      'booksWithinHoldings',
      'staffSplit',
      'titlesWithinStaff',
      'libraryScienceWithinStaff',
      'agedWithinStaff',
      'bookFundsWithinTotal',
      'eventKindsWithinTotal',
      'holdingsJump',
      'fundingJump',
      'visitsPerCapitaHigh',
    ]);
  });

  it('validateFinal reports every missing required field; validateDraft none', () => {
    const report = validateFinal(form, partial);
    const missing = REQUIRED_FIELDS.filter((key) => !(key in partial));
    expect(report.fieldErrors.map((error) => error.path)).toEqual(missing);
    for (const error of report.fieldErrors) {
      expect(error.message).toEqual({ zh: '此项为必填项', en: 'This field is required' });
      expect(error.code).toBe('required');
    }
    expect(validateDraft(form, partial).fieldErrors).toEqual([]);
  });

  it('an incident entry needs none of its sub-fields, as the dictionary marks none required', () => {
    const values = { ...wuxiangReport2025(), incidents: [{ description: '漏雨' }, {}] };
    expect(validateDraft(form, values).fieldErrors).toEqual([]);
    expect(validateFinal(form, values).fieldErrors).toEqual([]);
  });

  it('required sub-fields of a group entry are required only for final submission', () => {
    const input = minimalDefinitionInput();
    const events = input.sections[1]?.fields.find((field) => field.key === 'events');
    if (events?.type !== 'group') throw new Error('expected the events group');
    events.fields = [
      { key: 'when', type: 'date', label: { zh: '日期', en: 'Date' }, required: true },
    ];
    const mini = compileForm(FormDefinition.parse(input));
    const values = { total: 1, events: [{}] };
    expect(validateDraft(mini, values).fieldErrors).toEqual([]);
    expect(validateFinal(mini, values).fieldErrors.map((error) => error.path)).toEqual([
      'events.0.when',
    ]);
  });

  describe('requiredWhen: problemDetails', () => {
    const complete = without(wuxiangReport2025(), 'problemDetails');

    it('is required once a problem category is chosen', () => {
      const report = validateFinal(form, complete);
      expect(report.fieldErrors).toEqual([
        {
          path: 'problemDetails',
          code: 'required',
          message: { zh: '此项为必填项', en: 'This field is required' },
        },
      ]);
      expect(validateDraft(form, complete).fieldErrors).toEqual([]);
    });

    it('is not required when no category is chosen or the list is absent', () => {
      expect(validateFinal(form, { ...complete, problemCategories: [] }).fieldErrors).toEqual([]);
      expect(validateFinal(form, without(complete, 'problemCategories')).fieldErrors).toEqual([]);
    });

    it('is reported together with the other missing fields', () => {
      const report = validateFinal(form, { ...partial, problemCategories: ['space'] });
      expect(report.fieldErrors.map((error) => error.path)).toContain('problemDetails');
      expect(report.fieldErrors.map((error) => error.path)).toContain('servicePopulation');
    });
  });
});

describe('a complete realistic report (武乡县图书馆 2025)', () => {
  const report = wuxiangReport2025();

  it('fills every field of the form', () => {
    expect(Object.keys(report).sort()).toEqual([...form.fields.keys()].sort());
  });

  it('passes final validation with no field or rule errors and no warnings', () => {
    expect(validateFinal(form, report)).toEqual({
      fieldErrors: [],
      ruleErrors: [],
      warnings: [],
      skippedRules: ['holdingsJump', 'fundingJump'],
    });
    const previous = { holdingsTotal: 126800, fundingTotal: 1180000 };
    expect(validateFinal(form, report, previous).skippedRules).toEqual([]);
    expect(validateFinal(form, report, previous).warnings).toEqual([]);
  });

  it('computes the derived indicators', () => {
    const derived = computeDerived(form, report);
    expect(Object.keys(derived).sort()).toEqual(form.derived.map((entry) => entry.key).sort());
    expect(derived.holdingsPerCapita).toBeCloseTo(0.7818, 4);
    expect(derived.newAcquisitionsPerCapita).toBeCloseTo(0.01333, 5);
    expect(derived.visitsPerCapita).toBeCloseTo(0.4848, 4);
    expect(derived.loansPerCapita).toBeCloseTo(0.3636, 4);
    expect(derived.floorAreaPer1000).toBeCloseTo(17.342, 3);
    expect(derived.staffPer10k).toBeCloseTo(0.3636, 4);
    expect(derived.professionalShare).toBeCloseTo(1 / 3, 6);
    expect(derived.bookFundsPerCapita).toBeCloseTo(0.1818, 4);
    expect(derived.fundingPerCapita).toBeCloseTo(7.8182, 4);
  });

  it('omits professionalShare when staffTotal is 0, and indicators with a missing input', () => {
    const derived = computeDerived(form, {
      ...report,
      staffTotal: 0,
      staffEstablished: 0,
      staffOther: 0,
      staffSeniorTitle: 0,
      staffMidTitle: 0,
    });
    expect(derived).not.toHaveProperty('professionalShare');
    expect(derived.staffPer10k).toBe(0);
    expect(computeDerived(form, without(report, 'servicePopulation'))).toEqual({
      professionalShare: expect.any(Number),
    });
    // Like the rules: a blank title is missing, not 0.
    expect(computeDerived(form, without(report, 'staffSeniorTitle'))).not.toHaveProperty(
      'professionalShare',
    );
  });
});

describe('properties: valid reports built from the compiled model', () => {
  /** Fields without a max get a range wide enough to be realistic and small enough to add. */
  const OPEN_RANGE = 10_000_000;

  const scalarArbitrary = (field: ScalarField): fc.Arbitrary<unknown> => {
    switch (field.type) {
      case 'int':
      case 'money': {
        const max = field.max ?? field.min + OPEN_RANGE;
        return fc.oneof(fc.constantFrom(field.min, max), fc.integer({ min: field.min, max }));
      }
      case 'decimal': {
        const units = 10 ** field.scale;
        const max = field.max ?? field.min + OPEN_RANGE;
        return fc
          .integer({ min: Math.ceil(field.min * units), max: Math.floor(max * units) })
          .map((count) => count / units);
      }
      case 'bool':
        return fc.boolean();
      case 'choice':
        return fc.constantFrom(...field.choices.map((choice) => choice.code));
      case 'multi':
        return fc.shuffledSubarray(field.choices.map((choice) => choice.code));
      case 'text':
        return fc.oneof(
          fc.string({ maxLength: Math.min(field.maxLength, 40) }),
          fc.constant('图'.repeat(field.maxLength)),
        );
      case 'date':
        return fc
          .date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true })
          .map((date) => date.toISOString().slice(0, 10));
    }
  };

  const fieldArbitrary = (field: FieldDefinition): fc.Arbitrary<unknown> => {
    if (field.type !== 'group') return scalarArbitrary(field);
    const entry = fc.record(
      Object.fromEntries(field.fields.map((sub) => [sub.key, scalarArbitrary(sub)])),
      { requiredKeys: field.fields.filter((sub) => sub.required).map((sub) => sub.key) },
    );
    return fc.array(entry, { maxLength: Math.min(field.maxItems, 3) });
  };

  const numberAt = (values: FormValues, key: string) => {
    const value = values[key];
    return typeof value === 'number' ? value : 0;
  };

  /** Adjusts totals so the error rules of this form hold: totals are derived from parts. */
  const satisfyRules = (generated: FormValues): FormValues => {
    const values = { ...generated };
    const n = (key: string) => numberAt(values, key);
    values.holdingsTotal = Math.max(n('holdingsTotal'), n('newAcquisitions'), n('holdingsBooks'));
    const needed = Math.max(
      n('staffSeniorTitle') + n('staffMidTitle') + n('staffJuniorTitle'),
      n('staffLibraryScience'),
      n('staffAged50Plus'),
    );
    if (n('staffEstablished') + n('staffOther') < needed)
      values.staffEstablished = needed - n('staffOther');
    values.staffTotal = n('staffEstablished') + n('staffOther');
    values.fundingTotal = Math.max(n('fundingTotal'), n('bookFunds'));
    values.eventsTotal = Math.max(
      n('eventsTotal'),
      n('lectures') + n('exhibitions') + n('trainings') + n('onlineEvents'),
    );
    const categories = values.problemCategories;
    const details = values.problemDetails;
    if (Array.isArray(categories) && categories.length > 0 && !details)
      values.problemDetails = '详见附件';
    return values;
  };

  const fields = [...form.fields.values()];
  const validReport = fc
    .record(Object.fromEntries(fields.map((field) => [field.key, fieldArbitrary(field)])), {
      requiredKeys: fields.filter((field) => field.required).map((field) => field.key),
    })
    .map((values) => satisfyRules(values));

  type Numeric = Extract<FieldDefinition, { type: 'int' | 'decimal' | 'money' }>;
  const isNumeric = (field: FieldDefinition): field is Numeric =>
    field.type === 'int' || field.type === 'decimal' || field.type === 'money';

  /** Every way to push one numeric field out of bounds that makes exactly one problem. */
  const mutations = fields
    .filter(isNumeric)
    .flatMap((field) => [
      { field, kind: 'below' as const },
      { field, kind: 'fraction' as const },
      ...(field.max === undefined ? [] : [{ field, kind: 'above' as const }]),
    ]);

  const outOfBounds = (
    field: Numeric,
    kind: 'below' | 'above' | 'fraction',
    current: unknown,
  ): number => {
    const step = field.type === 'decimal' ? 10 ** -field.scale : 1;
    if (kind === 'below') return field.min - 1;
    if (kind === 'above') return (field.max ?? 0) + step;
    const base = typeof current === 'number' ? current : field.min;
    const max = field.max ?? Number.MAX_SAFE_INTEGER;
    return base + step / 2 <= max ? base + step / 2 : base - step / 2;
  };

  it('covers every numeric field with at least two mutations', () => {
    expect(mutations.length).toBeGreaterThanOrEqual(2 * fields.filter(isNumeric).length);
    expect(mutations.filter((mutation) => mutation.kind === 'above')).toHaveLength(3);
  });

  it('a generated valid report passes validateFinal', () => {
    fc.assert(
      fc.property(validReport, (report) => {
        const result = validateFinal(form, report);
        expect(result.fieldErrors).toEqual([]);
        expect(result.ruleErrors).toEqual([]);
      }),
      { numRuns: 250 },
    );
  });

  it('one numeric field out of bounds gives exactly one field error, at that field', () => {
    fc.assert(
      fc.property(validReport, fc.constantFrom(...mutations), (report, { field, kind }) => {
        const bad = outOfBounds(field, kind, report[field.key]);
        const result = validateFinal(form, { ...report, [field.key]: bad });
        expect(result.fieldErrors).toHaveLength(1);
        expect(result.fieldErrors[0]?.path).toBe(field.key);
        // The broken value never reaches the rules.
        expect(result.ruleErrors).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('evaluateRules on a valid report finds no rule errors either', () => {
    fc.assert(
      fc.property(validReport, (report) => {
        expect(evaluateRules(form, report).ruleErrors).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});

describe('a field hidden by its showWhen counts as not answered', () => {
  const roomForm = childrenRoomForm();
  /** The 武乡 report with a children's room of `seats` seats (320 seats in all). */
  const withRoom = (room: boolean, seats?: unknown, more: FormValues = {}): FormValues => ({
    ...wuxiangReport2025(),
    [ROOM]: room,
    ...(seats === undefined ? {} : { [SEATS]: seats }),
    ...more,
  });
  const ruleIds = (report: Pick<ReturnType<typeof validateFinal>, 'ruleErrors' | 'warnings'>) =>
    [...report.ruleErrors, ...report.warnings].map((violation) => violation.ruleId);
  const errorFields = (report: ReturnType<typeof validateFinal>) =>
    report.fieldErrors.map((error) => error.path);

  it('hides the seats when there is no room, and what depends on them in turn', () => {
    expect([...hiddenFields(roomForm, withRoom(false, 400))]).toEqual([SEATS, ROOM_STAFF]);
    expect([...hiddenFields(roomForm, withRoom(true, 400))]).toEqual([]);
    // The staff show once seats are given; seats kept from before the room was unticked are
    // not given, so the staff hide with them.
    expect([...hiddenFields(roomForm, withRoom(true))]).toEqual([ROOM_STAFF]);
    // Undecidable (the question not answered yet): shown.
    expect([...hiddenFields(roomForm, { [SEATS]: 400 })]).toEqual([]);
  });

  it('skips a rule reading a hidden field on final submission, error and warning alike', () => {
    const report = validateFinal(roomForm, withRoom(false, 400, { [ROOM_STAFF]: 3 }));
    expect(report.fieldErrors).toEqual([]);
    expect(report.ruleErrors).toEqual([]);
    expect(report.warnings).toEqual([]);
    expect(report.skippedRules).toEqual(expect.arrayContaining([SEATS_RULE, SEATS_WARNING]));
    // evaluateRules, as other callers use it, and a previous period's hidden value alike.
    expect(ruleIds(evaluateRules(roomForm, withRoom(false, 400)))).toEqual([]);
    const jump = compileForm(
      FormDefinition.parse({
        ...childrenRoomDefinition(),
        rules: [
          {
            id: 'seatsJump',
            severity: 'warning',
            check: `${SEATS} <= 2 * previous.${SEATS}`,
            message: { zh: '变化过大', en: 'Changed a lot' },
          },
        ],
      }),
    );
    // The previous period as its own version reads it (the caller's part): the seats hidden.
    const previous = answeredValues(jump, withRoom(false, 10));
    const outcome = evaluateRules(jump, withRoom(true, 100), previous);
    expect(outcome.warnings).toEqual([]);
    expect(outcome.skippedRules).toEqual(['seatsJump']);
    expect(evaluateRules(jump, withRoom(true, 100), withRoom(true, 10)).warnings).toHaveLength(1);
  });

  it("ignores a hidden field's own bound and type errors, and its requiredness", () => {
    for (const seats of [400, 9999, -1, 1.5, 'many', undefined]) {
      expect(errorFields(validateFinal(roomForm, withRoom(false, seats)))).toEqual([]);
    }
  });

  it('reports all of it again once the field is shown', () => {
    const over = validateFinal(roomForm, withRoom(true, 400));
    expect(over.fieldErrors).toEqual([]);
    expect(over.ruleErrors.map((violation) => violation.ruleId)).toEqual([SEATS_RULE]);
    expect(over.ruleErrors[0]?.fields).toEqual([SEATS, 'readingSeats']);
    expect(over.warnings.map((violation) => violation.ruleId)).toEqual([SEATS_WARNING]);
    expect(errorFields(validateFinal(roomForm, withRoom(true, 9999)))).toEqual([SEATS]);
    expect(errorFields(validateFinal(roomForm, withRoom(true, 'many')))).toEqual([SEATS]);
    const missing = validateFinal(roomForm, withRoom(true));
    expect(missing.fieldErrors).toEqual([
      expect.objectContaining({ path: SEATS, code: 'required' }),
    ]);
    expect(ruleIds(validateFinal(roomForm, withRoom(true, 100)))).toEqual([]);
  });

  it('keeps checking the type and bounds of a hidden value a draft would store', () => {
    expect(errorFields(validateDraft(roomForm, withRoom(false, 9999)))).toEqual([SEATS]);
    expect(errorFields(validateDraft(roomForm, withRoom(false, 400)))).toEqual([]);
    // …but reads it as missing for the rules, as on final submission.
    expect(ruleIds(validateDraft(roomForm, withRoom(false, 400)))).toEqual([]);
  });

  it('keeps the value in the report: nothing is removed from what is validated or stored', () => {
    const values = withRoom(false, 400, { [ROOM_STAFF]: 3 });
    const before = structuredClone(values);
    validateFinal(roomForm, values);
    validateDraft(roomForm, values);
    computeDerived(roomForm, values);
    const answered = answeredValues(roomForm, values);
    expect(values).toEqual(before);
    expect(answered).not.toHaveProperty(SEATS);
    expect(answered).not.toHaveProperty(ROOM_STAFF);
    expect(answered).toHaveProperty(ROOM, false);
    // Ticking the room again brings the kept value back into every check.
    expect(ruleIds(validateFinal(roomForm, { ...values, [ROOM]: true }))).toEqual([
      SEATS_RULE,
      SEATS_WARNING,
    ]);
  });

  it('leaves a derived indicator reading a hidden field empty', () => {
    expect(computeDerived(roomForm, withRoom(false, 80))).not.toHaveProperty(SEAT_SHARE);
    expect(computeDerived(roomForm, withRoom(true, 80))[SEAT_SHARE]).toBeCloseTo(80 / 320);
    expect(computeDerived(roomForm, withRoom(false, 80)).holdingsPerCapita).toBeCloseTo(
      129000 / 165000,
    );
  });

  /** The minimal form with these conditions set on its fields. */
  const miniWith = (conditions: Record<string, { showWhen?: string; requiredWhen?: string }>) => {
    const input = minimalDefinitionInput();
    for (const field of input.sections.flatMap((section) => section.fields))
      Object.assign(field, conditions[field.key]);
    return compileForm(FormDefinition.parse(input));
  };

  it('reads a hidden field as blank in a requiredWhen condition', () => {
    // notes are required once part is given; part shows only with the flag.
    const mini = miniWith({ part: { showWhen: 'flag' }, notes: { requiredWhen: 'present(part)' } });
    const report = (flag: boolean) => errorFields(validateFinal(mini, { total: 5, part: 3, flag }));
    expect(report(true)).toEqual(['notes']);
    expect(report(false)).toEqual([]);
  });

  it('is never asked about conditions in a circle: the form is refused first', () => {
    expect(() =>
      miniWith({
        part: { showWhen: 'not present(area)' },
        area: { showWhen: 'not present(part)' },
      }),
    ).toThrow('showWhen conditions go round in a circle: "part" → "area" → "part"');
  });

  it('names the fields deciding whether others are shown, through conditions in turn', () => {
    expect(withShowWhenInputs(roomForm, [ROOM_STAFF, 'visits'])).toEqual([
      ROOM_STAFF,
      'visits',
      SEATS,
      ROOM,
    ]);
    expect(withShowWhenInputs(form, ['holdingsTotal'])).toEqual(['holdingsTotal']);
  });
});
