import { describe, expect, it } from '@jest/globals';
import type { Principal } from '../auth/principal.js';
import {
  AppError,
  BadRequestError,
  ConfigurationError,
  ConflictError,
  ForbiddenError,
  LockedError,
  NotFoundError,
  PayloadTooLargeError,
  UnprocessableError,
} from '../errors.js';
import { FormRegistry } from '../forms/catalog.js';
import type { FormValues } from '../forms/compile.js';
import { FormDefinition } from '../forms/definition.js';
import {
  countyAnnualReport,
  realPeriods,
  realStandards,
  withSelfServiceMachines,
  wuxiangReport2025,
} from '../forms/fixtures.js';
import {
  childrenRoomDefinition,
  holdingsShownWithNote,
  ROOM,
  SEATS,
} from '../forms/show-when-fixtures.js';
import { PeriodService } from '../periods/service.js';
import { countyLibrary } from '../registry/fixtures.js';
import { InMemoryLibraryStore } from '../registry/memory-store.js';
import { InMemoryPeriodStore, InMemorySubmissionStore } from './memory-store.js';
import type {
  SubmissionAction,
  SubmissionHead,
  SubmissionKey,
  SubmissionRevision,
  SubmissionStatus,
} from './model.js';
import { MAX_REPORT_BYTES, SubmissionService } from './service.js';
import {
  InvalidCursorError,
  type Page,
  type PageRequest,
  RevisionConflictError,
  type SubmissionStore,
} from './store.js';

const FORM_ID = 'county-annual-report';
const PERIOD = '2025';
const OWN = '140429';
const OTHER = '140430';

/** Inside the default 2025 window (opens 2025-11-01, locks 2026-03-31, Beijing time). */
const OPEN_TIME = '2025-12-01T02:00:00.000Z';
const OPENS_AT = '2025-10-31T16:00:00.000Z';
const LOCKS_AT = '2026-03-31T15:59:59.000Z';

const keyOf = (libraryId = OWN, period = PERIOD): SubmissionKey => ({
  libraryId,
  formId: FORM_ID,
  period,
});
const librarian = (libraryId = OWN): Principal => ({
  subject: `librarian-${libraryId}`,
  role: 'library',
  libraryId,
});
const province: Principal = { subject: 'province-1', role: 'province' };
const admin: Principal = { subject: 'admin-1', role: 'admin' };

const registryOf = (forms: FormDefinition[]) =>
  new FormRegistry({ forms, standards: realStandards(), periods: realPeriods() });

/** 2026.2: the real form with one added field. */
const withAddedField = (): FormDefinition => withSelfServiceMachines('2026.2');

interface Setup {
  store?: (inner: InMemorySubmissionStore) => SubmissionStore;
  forms?: FormRegistry;
  submissions?: InMemorySubmissionStore;
}

/** A service over in-memory stores and a clock the test moves. */
const setup = (options: Setup = {}) => {
  let currentDate = new Date(OPEN_TIME);
  const now = () => currentDate;
  const submissions = options.submissions ?? new InMemorySubmissionStore();
  const periodStore = new InMemoryPeriodStore();
  const forms = options.forms ?? registryOf([countyAnnualReport()]);
  const periods = new PeriodService({
    store: periodStore,
    forms,
    libraries: new InMemoryLibraryStore([countyLibrary(OWN), countyLibrary(OTHER)]),
    now,
  });
  const service = new SubmissionService({
    store: options.store ? options.store(submissions) : submissions,
    periods,
    forms,
    now,
  });
  /** Head and every revision, to show that a failed step wrote nothing. */
  const stored = async (key: SubmissionKey = keyOf()) => ({
    head: await submissions.getHead(key),
    revisions: (await submissions.listRevisions(key, { limit: 1_000 })).items,
  });
  return {
    service,
    periods,
    submissions,
    stored,
    setTime: (iso: string) => {
      currentDate = new Date(iso);
    },
  };
};

/** The AppError a step failed with; fails the test when the step succeeds. */
const failure = async (step: Promise<unknown>): Promise<AppError> => {
  const outcome = await step.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (outcome instanceof AppError) return outcome;
  throw new Error(`Expected an AppError, got ${outcome === undefined ? 'success' : outcome}`);
};

const save = (
  service: SubmissionService,
  expectedRevision: number,
  values: FormValues = wuxiangReport2025(),
  principal: Principal = librarian(),
  key: SubmissionKey = keyOf(),
) => service.saveDraft(principal, key, { values, expectedRevision });

const submit = (
  service: SubmissionService,
  expectedRevision: number,
  explanations: Record<string, string> = {},
  key: SubmissionKey = keyOf(),
) => service.submit(librarian(key.libraryId), key, { expectedRevision, explanations });

/** Brings the own library's 2025 report into a status; answers its revision. */
const reportIn = async (
  service: SubmissionService,
  status: SubmissionStatus,
  key: SubmissionKey = keyOf(),
): Promise<number> => {
  await save(service, 0, wuxiangReport2025(), librarian(key.libraryId), key);
  if (status === 'draft') return 1;
  await submit(service, 1, {}, key);
  if (status === 'submitted') return 2;
  if (status === 'returned') {
    await service.returnToLibrary(province, key, { message: '请核对', fieldComments: {} });
  } else {
    await service.accept(province, key, {});
  }
  return 3;
};

describe('SubmissionService.saveDraft', () => {
  it('creates the report with expectedRevision 0 as revision 1', async () => {
    const { service, stored } = setup();
    const { created, view } = await save(service, 0);
    expect(created).toBe(true);
    expect(view).toMatchObject({
      ...keyOf(),
      formVersion: '2026.1',
      status: 'draft',
      revision: 1,
      values: wuxiangReport2025(),
      explanations: {},
      createdAt: OPEN_TIME,
      updatedAt: OPEN_TIME,
      updatedBy: { subject: 'librarian-140429', role: 'library', libraryId: OWN },
      window: { opensAt: OPENS_AT, locksAt: LOCKS_AT, source: 'default' },
    });
    expect(view.validation).toEqual({
      fieldErrors: [],
      ruleErrors: [],
      warnings: [],
      skippedRules: ['holdingsJump', 'fundingJump'],
    });
    expect(view.derived.holdingsPerCapita).toBeCloseTo(129000 / 165000);
    expect(view.previous).toBeUndefined();
    const { head, revisions } = await stored();
    expect(head?.revision).toBe(1);
    expect(revisions.map((revision) => revision.revision)).toEqual([1]);
  });

  it('saves the next revision when expectedRevision is the current one', async () => {
    const { service, setTime } = setup();
    await save(service, 0);
    setTime('2025-12-02T00:00:00.000Z');
    const { created, view } = await save(service, 1, { ...wuxiangReport2025(), visits: 81000 });
    expect(created).toBe(false);
    expect(view).toMatchObject({
      revision: 2,
      status: 'draft',
      createdAt: OPEN_TIME,
      updatedAt: '2025-12-02T00:00:00.000Z',
    });
    expect(view.values.visits).toBe(81000);
  });

  it('keeps explanations with the draft: given ones replace the saved, absent ones keep them', async () => {
    const { service, stored } = setup();
    const saveWith = (expectedRevision: number, explanations?: Record<string, string>) =>
      service.saveDraft(librarian(), keyOf(), {
        values: wuxiangReport2025(),
        expectedRevision,
        ...(explanations ? { explanations } : {}),
      });
    await saveWith(0, { holdingsJump: '剔旧 1.2 万册', fundingJump: '新馆专项' });
    expect((await saveWith(1)).view.explanations).toEqual({
      holdingsJump: '剔旧 1.2 万册',
      fundingJump: '新馆专项',
    });
    expect((await saveWith(2, { holdingsJump: '剔旧 1.3 万册' })).view.explanations).toEqual({
      holdingsJump: '剔旧 1.3 万册',
    });
    const { head, revisions } = await stored();
    expect(head?.explanations).toEqual({ holdingsJump: '剔旧 1.3 万册' });
    expect(revisions.map((revision) => Object.keys(revision.explanations).length)).toEqual([
      1, 2, 2,
    ]);
  });

  it('refuses a draft explanation for a rule the form does not have with 400 and writes nothing', async () => {
    const { service, stored } = setup();
    await save(service, 0);
    const before = await stored();
    const error = await failure(
      service.saveDraft(librarian(), keyOf(), {
        values: wuxiangReport2025(),
        expectedRevision: 1,
        explanations: { holdingsJump: '剔旧', noSuchRule: '说明' },
      }),
    );
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.errors).toEqual([
      expect.objectContaining({ path: 'explanations.noSuchRule', code: 'unknown_rule' }),
    ]);
    expect(await stored()).toEqual(before);
  });

  describe('onto the current form version', () => {
    /** A draft started on 2026.1 (with an explanation), after 2026.2 is published. */
    const draftOnOlderVersion = async () => {
      const submissions = new InMemorySubmissionStore();
      await setup({ submissions }).service.saveDraft(librarian(), keyOf(), {
        values: wuxiangReport2025(),
        expectedRevision: 0,
        explanations: { holdingsJump: '剔旧' },
      });
      return setup({ submissions, forms: registryOf([countyAnnualReport(), withAddedField()]) });
    };

    it('keeps a draft on its own version unless the save names the current one', async () => {
      const { service } = await draftOnOlderVersion();
      const kept = await save(service, 1, { ...wuxiangReport2025(), visits: 81000 });
      expect(kept.view.formVersion).toBe('2026.1');

      const moved = await service.saveDraft(librarian(), keyOf(), {
        values: { ...wuxiangReport2025(), selfServiceMachines: 4 },
        expectedRevision: 2,
        formVersion: '2026.2',
      });
      expect(moved.view).toMatchObject({
        formVersion: '2026.2',
        revision: 3,
        values: { selfServiceMachines: 4 },
        explanations: { holdingsJump: '剔旧' },
      });
      // Its own version named again is the version it is now on.
      expect((await save(service, 3)).view.formVersion).toBe('2026.2');
    });

    it('checks the values by the version named: a new field is unknown to the old one', async () => {
      const { service, stored } = await draftOnOlderVersion();
      const before = await stored();
      const error = await failure(
        save(service, 1, { ...wuxiangReport2025(), selfServiceMachines: 4 }),
      );
      expect(error.errors).toEqual([
        expect.objectContaining({ path: 'values.selfServiceMachines' }),
      ]);
      expect(await stored()).toEqual(before);
    });

    it('refuses a version it cannot move onto with 400, and an older one than its own with 409', async () => {
      const { service, stored } = await draftOnOlderVersion();
      const saveIn = (formVersion: string, expectedRevision: number) =>
        service.saveDraft(librarian(), keyOf(), {
          values: wuxiangReport2025(),
          expectedRevision,
          formVersion,
        });
      const before = await stored();
      const later = await failure(saveIn('2027.1', 1));
      expect(later).toBeInstanceOf(BadRequestError);
      expect(later.errors).toEqual([
        expect.objectContaining({ path: 'formVersion', code: 'not_current_version' }),
      ]);
      expect(await stored()).toEqual(before);

      // Moved on by another device: a page still on 2026.1 is told to load the report again.
      await saveIn('2026.2', 1);
      const moved = await stored();
      const stale = await failure(saveIn('2026.1', 2));
      expect(stale).toBeInstanceOf(ConflictError);
      expect(stale.errors).toEqual([
        expect.objectContaining({ path: 'formVersion', code: 'form_version_moved' }),
      ]);
      expect(await stored()).toEqual(moved);
    });

    it('drops saved explanations of rules the version moved onto no longer has', async () => {
      const submissions = new InMemorySubmissionStore();
      await setup({ submissions }).service.saveDraft(librarian(), keyOf(), {
        values: wuxiangReport2025(),
        expectedRevision: 0,
        explanations: { holdingsJump: '剔旧', fundingJump: '新馆专项' },
      });
      const withoutHoldingsJump = FormDefinition.parse({
        ...withSelfServiceMachines('2026.2'),
        rules: countyAnnualReport().rules.filter((rule) => rule.id !== 'holdingsJump'),
      });
      const { service } = setup({
        submissions,
        forms: registryOf([countyAnnualReport(), withoutHoldingsJump]),
      });
      const { view } = await service.saveDraft(librarian(), keyOf(), {
        values: wuxiangReport2025(),
        expectedRevision: 1,
        formVersion: '2026.2',
      });
      expect(view.explanations).toEqual({ fundingJump: '新馆专项' });
    });

    it('tells a page loaded before a new version was deployed, for a report never saved, to load again', async () => {
      const { service, stored } = setup({
        forms: registryOf([countyAnnualReport(), withAddedField()]),
      });
      const error = await failure(
        service.saveDraft(librarian(), keyOf(), {
          values: wuxiangReport2025(),
          expectedRevision: 0,
          formVersion: '2026.1',
        }),
      );
      expect(error).toBeInstanceOf(ConflictError);
      expect(error.errors).toEqual([
        expect.objectContaining({ path: 'formVersion', code: 'form_version_moved' }),
      ]);
      expect((await stored()).head).toBeUndefined();
    });

    it("carries a return's field comments through the renames, leaving those on dropped fields", async () => {
      const submissions = new InMemorySubmissionStore();
      const first = setup({ submissions });
      await save(first.service, 0);
      await submit(first.service, 1);
      await first.service.returnToLibrary(province, keyOf(), {
        message: '请核对',
        fieldComments: { readingSeats: '座席数偏少', newspaperTitles: '请核对', visits: '偏高' },
      });
      const renamed = FormDefinition.parse({
        ...countyAnnualReport(),
        version: '2026.2',
        sections: countyAnnualReport().sections.map((section) => ({
          ...section,
          fields: section.fields
            .filter((field) => field.key !== 'newspaperTitles')
            .map((field) => (field.key === 'readingSeats' ? { ...field, key: 'seats' } : field)),
        })),
        migrations: [
          { field: 'readingSeats', change: 'rename', to: 'seats', note: '改名' },
          { field: 'newspaperTitles', change: 'drop', note: '不再收集' },
        ],
      });
      const { service, stored } = setup({
        submissions,
        forms: registryOf([countyAnnualReport(), renamed]),
      });
      const { readingSeats, newspaperTitles: _dropped, ...kept } = wuxiangReport2025();
      const { view } = await service.saveDraft(librarian(), keyOf(), {
        values: { ...kept, seats: readingSeats },
        expectedRevision: 3,
        formVersion: '2026.2',
      });
      expect(view.review).toMatchObject({
        message: '请核对',
        fieldComments: { seats: '座席数偏少', visits: '偏高' },
      });
      // The return itself keeps every comment as the province wrote it.
      const { revisions } = await stored();
      expect(
        revisions.find((revision) => revision.action === 'return')?.review?.fieldComments,
      ).toEqual({ readingSeats: '座席数偏少', newspaperTitles: '请核对', visits: '偏高' });
    });
  });

  it('answers a stale expectedRevision with 409 and writes nothing', async () => {
    const { service, stored } = setup();
    await save(service, 0);
    await save(service, 1);
    const before = await stored();
    const error = await failure(save(service, 1, { servicePopulation: 1 }));
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.statusCode).toBe(409);
    expect(error.errors).toEqual([
      expect.objectContaining({ path: 'expectedRevision', code: 'stale_revision' }),
    ]);
    expect(error.detail.en).toContain('now revision 2');
    expect(await stored()).toEqual(before);
  });

  it('answers expectedRevision 0 for an existing report with 409 and writes nothing', async () => {
    const { service, stored } = setup();
    await save(service, 0);
    const before = await stored();
    const error = await failure(save(service, 0, { servicePopulation: 1 }));
    expect(error).toBeInstanceOf(ConflictError);
    expect(await stored()).toEqual(before);
  });

  it('answers a non-zero expectedRevision for a report not yet created with 409', async () => {
    const { service, stored } = setup();
    const error = await failure(save(service, 3));
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.errors).toEqual([
      expect.objectContaining({ path: 'expectedRevision', code: 'stale_revision' }),
    ]);
    expect(await stored()).toEqual({ head: undefined, revisions: [] });
  });

  it('rejects invalid values with 400 naming each values.<field> and writes nothing', async () => {
    const { service, stored } = setup();
    const error = await failure(
      save(service, 0, {
        holdingsTotal: -5,
        readingSeats: 'many',
        fundingTotal: 12.5,
        assessmentGrade: 'grade9',
        noSuchField: 1,
      }),
    );
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.statusCode).toBe(400);
    expect(error.errors.map((problem) => problem.path).sort()).toEqual([
      'values.assessmentGrade',
      'values.fundingTotal',
      'values.holdingsTotal',
      'values.noSuchField',
      'values.readingSeats',
    ]);
    expect(error.errors).toContainEqual(
      expect.objectContaining({ path: 'values.noSuchField', code: 'unknown_field' }),
    );
    for (const problem of error.errors) {
      expect(problem.message.zh).not.toBe('');
      expect(problem.message.en).not.toBe('');
    }
    expect(await stored()).toEqual({ head: undefined, revisions: [] });
  });

  it('keeps an incomplete draft: required fields are checked only on submission', async () => {
    const { service } = setup();
    const { view } = await save(service, 0, { servicePopulation: 165000 });
    expect(view.status).toBe('draft');
    expect(view.validation.fieldErrors).toEqual([]);
  });
});

describe('SubmissionService.submit', () => {
  it('submits a complete report without warnings', async () => {
    const { service, stored, setTime } = setup();
    await save(service, 0);
    setTime('2025-12-03T00:00:00.000Z');
    const view = await submit(service, 1);
    expect(view).toMatchObject({
      status: 'submitted',
      revision: 2,
      explanations: {},
      submittedAt: '2025-12-03T00:00:00.000Z',
      firstSubmittedAt: '2025-12-03T00:00:00.000Z',
      values: wuxiangReport2025(),
    });
    const { revisions } = await stored();
    expect(revisions[0]).toMatchObject({ revision: 2, action: 'submit', status: 'submitted' });
  });

  it('lists every missing required field (and required-when ones) with 422', async () => {
    const { service, stored } = setup();
    await save(service, 0, { servicePopulation: 165000, problemCategories: ['space'] });
    const before = await stored();
    const error = await failure(submit(service, 1));
    expect(error).toBeInstanceOf(UnprocessableError);
    expect(error.statusCode).toBe(422);
    const required = countyAnnualReport()
      .sections.flatMap((section) => section.fields)
      .filter((field) => field.required && field.key !== 'servicePopulation')
      .map((field) => `values.${field.key}`);
    expect(required).toHaveLength(12);
    const missing = error.errors.filter((problem) => problem.code === 'required');
    expect(missing.map((problem) => problem.path).sort()).toEqual(
      [...required, 'values.problemDetails'].sort(),
    );
    expect(error.detail.en).toContain(`${error.errors.length} problem`);
    expect(await stored()).toEqual(before);
  });

  it('reports a violated error rule as rules.<id>', async () => {
    const { service, stored } = setup();
    await save(service, 0, { ...wuxiangReport2025(), staffTotal: 7 });
    const before = await stored();
    const error = await failure(submit(service, 1));
    expect(error).toBeInstanceOf(UnprocessableError);
    expect(error.errors).toEqual([
      {
        path: 'rules.staffSplit',
        code: 'rule_violated',
        message: {
          zh: '在编人员与编外人员之和应等于职工总数，请核对三项人数。',
          en: 'Established plus other staff must equal total staff; check the three counts.',
        },
      },
    ]);
    expect(await stored()).toEqual(before);
  });

  it('requires an explanation for each warning as explanations.<id>', async () => {
    const { service, stored } = setup();
    // 2,000,000 visits for 165,000 people: more than ten visits per head.
    await save(service, 0, { ...wuxiangReport2025(), visits: 2_000_000 });
    const before = await stored();
    const error = await failure(submit(service, 1));
    expect(error).toBeInstanceOf(UnprocessableError);
    expect(error.errors).toEqual([
      expect.objectContaining({
        path: 'explanations.visitsPerCapitaHigh',
        code: 'explanation_required',
      }),
    ]);
    expect(await stored()).toEqual(before);
  });

  it('submits an explained warning and stores the explanation on head and revision', async () => {
    const { service, stored } = setup();
    await save(service, 0, { ...wuxiangReport2025(), visits: 2_000_000 });
    const explanation = '含景区旅游服务点到馆人次';
    const view = await submit(service, 1, { visitsPerCapitaHigh: explanation });
    expect(view.status).toBe('submitted');
    expect(view.explanations).toEqual({ visitsPerCapitaHigh: explanation });
    const { head, revisions } = await stored();
    expect(head?.explanations).toEqual({ visitsPerCapitaHigh: explanation });
    expect(revisions[0]?.explanations).toEqual({ visitsPerCapitaHigh: explanation });
  });

  it('keeps only explanations of warnings the report actually raises', async () => {
    const { service } = setup();
    await save(service, 0);
    const view = await submit(service, 1, { fundingJump: '新馆建设专项' });
    expect(view.explanations).toEqual({});
  });

  it('rejects an explanation for a rule the form does not have with 400', async () => {
    const { service, stored } = setup();
    await save(service, 0);
    const before = await stored();
    const error = await failure(submit(service, 1, { noSuchRule: '说明' }));
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.errors).toEqual([
      expect.objectContaining({ path: 'explanations.noSuchRule', code: 'unknown_rule' }),
    ]);
    expect(await stored()).toEqual(before);
  });

  it('counts explanations saved with the draft, under those the submission gives', async () => {
    const { service, stored } = setup();
    const values = { ...wuxiangReport2025(), visits: 2_000_000 };
    await service.saveDraft(librarian(), keyOf(), {
      values,
      expectedRevision: 0,
      explanations: { visitsPerCapitaHigh: '含景区服务点', fundingJump: '新馆专项' },
    });
    // Another device submits without sending them again.
    expect((await submit(service, 1)).explanations).toEqual({
      visitsPerCapitaHigh: '含景区服务点',
    });
    await service.returnToLibrary(province, keyOf(), { message: '请核对', fieldComments: {} });
    const view = await submit(service, 3, { visitsPerCapitaHigh: '含景区旅游服务点到馆人次' });
    expect(view.explanations).toEqual({ visitsPerCapitaHigh: '含景区旅游服务点到馆人次' });
    expect((await stored()).head?.explanations).toEqual(view.explanations);
  });

  it('answers a stale expectedRevision with 409 and 404 for a report never saved', async () => {
    const { service, stored } = setup();
    expect(await failure(submit(service, 0))).toBeInstanceOf(NotFoundError);
    await save(service, 0);
    await save(service, 1);
    const before = await stored();
    expect(await failure(submit(service, 1))).toBeInstanceOf(ConflictError);
    expect(await stored()).toEqual(before);
  });
});

describe('SubmissionService year over year', () => {
  const previousKey = keyOf(OWN, '2024');
  const previousValues = { ...wuxiangReport2025(), holdingsTotal: 100000, holdingsBooks: 90000 };

  it('compares with a submitted previous period: holdingsJump warns', async () => {
    const { service, setTime, stored } = setup();
    setTime('2025-01-15T00:00:00.000Z');
    await save(service, 0, previousValues, librarian(), previousKey);
    await submit(service, 1, {}, previousKey);

    setTime(OPEN_TIME);
    const { view } = await save(service, 0);
    expect(view.previous).toEqual({ period: '2024', values: previousValues });
    expect(view.validation.warnings.map((warning) => warning.ruleId)).toEqual(['holdingsJump']);
    expect(view.validation.skippedRules).toEqual([]);

    const error = await failure(submit(service, 1));
    expect(error).toBeInstanceOf(UnprocessableError);
    expect(error.errors.map((problem) => problem.path)).toEqual(['explanations.holdingsJump']);

    const submitted = await submit(service, 1, { holdingsJump: '接收捐赠图书2.9万册' });
    expect(submitted.status).toBe('submitted');
    expect(submitted.explanations).toEqual({ holdingsJump: '接收捐赠图书2.9万册' });
    expect((await stored()).head?.explanations).toEqual({ holdingsJump: '接收捐赠图书2.9万册' });
  });

  it("reads a previous report written under an older version by that version's conditions", async () => {
    // 2026.2 shows holdingsTotal only with a note, a field 2026.1 reports do not have: read by
    // 2026.2's conditions, the previous holdingsTotal would be hidden and holdingsJump skipped.
    const v2 = holdingsShownWithNote();
    const before = setup();
    before.setTime('2025-01-15T00:00:00.000Z');
    await save(before.service, 0, previousValues, librarian(), previousKey);
    await submit(before.service, 1, {}, previousKey);

    const after = setup({
      submissions: before.submissions,
      forms: registryOf([countyAnnualReport(), v2]),
    });
    const { view } = await save(after.service, 0, {
      ...wuxiangReport2025(),
      collectionNote: '接收捐赠',
    });
    expect(view.formVersion).toBe('2026.2');
    expect(view.previous?.values.holdingsTotal).toBe(100000);
    expect(view.validation.warnings.map((warning) => warning.ruleId)).toEqual(['holdingsJump']);
  });

  it("leaves out a previous report's hidden fields, by that report's own conditions", async () => {
    const withJump = childrenRoomDefinition();
    withJump.rules.push({
      id: 'seatsJump',
      severity: 'warning',
      check: `${SEATS} <= 2 * previous.${SEATS}`,
      message: { zh: '少儿座席变化过大', en: "Children's seats changed a lot" },
    });
    const { service, setTime } = setup({ forms: registryOf([withJump]) });
    setTime('2025-01-15T00:00:00.000Z');
    // In 2024 there was no children's room: the 10 seats kept from before are not an answer.
    await save(
      service,
      0,
      { ...previousValues, [ROOM]: false, [SEATS]: 10 },
      librarian(),
      previousKey,
    );
    await submit(service, 1, {}, previousKey);

    setTime(OPEN_TIME);
    const { view } = await save(service, 0, { ...wuxiangReport2025(), [ROOM]: true, [SEATS]: 100 });
    expect(view.previous?.values).not.toHaveProperty(SEATS);
    expect(view.validation.skippedRules).toContain('seatsJump');
    expect(view.validation.warnings.map((warning) => warning.ruleId)).not.toContain('seatsJump');
  });

  it('ignores a previous period that is only a draft', async () => {
    const { service, setTime } = setup();
    setTime('2025-01-15T00:00:00.000Z');
    await save(service, 0, previousValues, librarian(), previousKey);

    setTime(OPEN_TIME);
    const { view } = await save(service, 0);
    expect(view.previous).toBeUndefined();
    expect(view.validation.warnings).toEqual([]);
    expect(view.validation.skippedRules).toEqual(['holdingsJump', 'fundingJump']);
    expect((await submit(service, 1)).status).toBe('submitted');
  });

  it("compares only with the same library's previous period", async () => {
    const { service, setTime } = setup();
    const othersPrevious = keyOf(OTHER, '2024');
    setTime('2025-01-15T00:00:00.000Z');
    await save(service, 0, previousValues, librarian(OTHER), othersPrevious);
    await submit(service, 1, {}, othersPrevious);

    setTime(OPEN_TIME);
    const { view } = await save(service, 0);
    expect(view.previous).toBeUndefined();
    expect(view.validation.warnings).toEqual([]);
  });
});

describe('SubmissionService state machine', () => {
  type Outcome = SubmissionStatus | 'conflict';
  /** Save and submit only while editable, return and accept only when submitted, reopen only when accepted. */
  const TRANSITIONS: Record<SubmissionStatus, Record<SubmissionAction, Outcome>> = {
    draft: {
      save: 'draft',
      submit: 'submitted',
      return: 'conflict',
      accept: 'conflict',
      reopen: 'conflict',
    },
    submitted: {
      save: 'conflict',
      submit: 'conflict',
      return: 'returned',
      accept: 'accepted',
      reopen: 'conflict',
    },
    returned: {
      save: 'returned',
      submit: 'submitted',
      return: 'conflict',
      accept: 'conflict',
      reopen: 'conflict',
    },
    accepted: {
      save: 'conflict',
      submit: 'conflict',
      return: 'conflict',
      accept: 'conflict',
      reopen: 'returned',
    },
  };

  const perform = async (
    service: SubmissionService,
    action: SubmissionAction,
    expectedRevision: number,
  ): Promise<SubmissionHead> => {
    switch (action) {
      case 'save':
        return (await save(service, expectedRevision)).view;
      case 'submit':
        return submit(service, expectedRevision);
      case 'return':
        return service.returnToLibrary(province, keyOf(), {
          message: '请核对藏量',
          fieldComments: { holdingsTotal: '与上年相差较大' },
          expectedRevision,
        });
      case 'accept':
        return service.accept(province, keyOf(), { expectedRevision });
      case 'reopen':
        return service.reopen(admin, keyOf(), { message: '需更正经费', expectedRevision });
    }
  };

  const CASES = (Object.keys(TRANSITIONS) as SubmissionStatus[]).flatMap((status) =>
    (Object.keys(TRANSITIONS[status]) as SubmissionAction[]).map(
      (action) => [status, action, TRANSITIONS[status][action]] as const,
    ),
  );

  it('covers every status and action', () => {
    expect(CASES).toHaveLength(4 * 5);
  });

  it.each(CASES)('%s + %s → %s', async (status, action, outcome) => {
    const { service, stored } = setup();
    const revision = await reportIn(service, status);
    const before = await stored();
    expect(before.head?.status).toBe(status);
    if (outcome === 'conflict') {
      const error = await failure(perform(service, action, revision));
      expect(error).toBeInstanceOf(ConflictError);
      expect(error.statusCode).toBe(409);
      // A wrong state, not a stale revision.
      expect(error.errors).toEqual([]);
      expect(error.detail.en).toContain(`The report is ${status}`);
      expect(await stored()).toEqual(before);
    } else {
      const head = await perform(service, action, revision);
      expect(head).toMatchObject({ status: outcome, revision: revision + 1 });
      const after = await stored();
      expect(after.head).toMatchObject({ status: outcome, revision: revision + 1 });
      expect(after.revisions[0]).toMatchObject({ revision: revision + 1, action, status: outcome });
    }
  });

  it('accept records acceptedAt; reopen clears it and tells the library why', async () => {
    const { service, setTime } = setup();
    await reportIn(service, 'submitted');
    setTime('2025-12-05T00:00:00.000Z');
    const accepted = await service.accept(province, keyOf(), {});
    expect(accepted.acceptedAt).toBe('2025-12-05T00:00:00.000Z');
    setTime('2025-12-06T00:00:00.000Z');
    const reopened = await service.reopen(admin, keyOf(), { message: '需更正经费' });
    expect(reopened.acceptedAt).toBeUndefined();
    expect(reopened.review).toEqual({
      message: '需更正经费',
      fieldComments: {},
      by: { subject: 'admin-1', role: 'admin' },
      at: '2025-12-06T00:00:00.000Z',
    });
  });

  it('answers a stale expectedRevision on a review step with 409', async () => {
    const { service, stored } = setup();
    await reportIn(service, 'submitted');
    const before = await stored();
    expect(
      await failure(service.accept(province, keyOf(), { expectedRevision: 1 })),
    ).toBeInstanceOf(ConflictError);
    expect(await stored()).toEqual(before);
  });
});

describe('SubmissionService return and review', () => {
  it('keeps the review on the head until resubmission clears it', async () => {
    const { service, stored, setTime } = setup();
    await reportIn(service, 'submitted');
    setTime('2025-12-10T00:00:00.000Z');
    const review = {
      message: '请核对藏量与经费',
      fieldComments: { holdingsTotal: '与上年相差较大', fundingTotal: '单位是否为元？' },
      by: { subject: 'province-1', role: 'province' },
      at: '2025-12-10T00:00:00.000Z',
    };
    const returned = await service.returnToLibrary(province, keyOf(), {
      message: review.message,
      fieldComments: review.fieldComments,
    });
    expect(returned).toMatchObject({ status: 'returned', revision: 3 });
    expect(returned.review).toEqual(review);

    setTime('2025-12-11T00:00:00.000Z');
    const { view: edited } = await save(service, 3, { ...wuxiangReport2025(), visits: 79000 });
    expect(edited).toMatchObject({ status: 'returned', revision: 4 });
    expect(edited.review).toEqual(review);
    expect(edited.submittedAt).toBe(OPEN_TIME);

    setTime('2025-12-12T00:00:00.000Z');
    const resubmitted = await submit(service, 4);
    expect(resubmitted).toMatchObject({
      status: 'submitted',
      submittedAt: '2025-12-12T00:00:00.000Z',
    });
    expect(resubmitted.review).toBeUndefined();

    const { head, revisions } = await stored();
    expect(head?.review).toBeUndefined();
    const byNumber = new Map(revisions.map((revision) => [revision.revision, revision]));
    expect(byNumber.get(3)?.review).toEqual(review);
    expect(byNumber.get(4)?.review).toEqual(review);
    expect(byNumber.get(5)?.review).toBeUndefined();
  });

  it('refuses comments that would grow the report past its stored size (413 at fieldComments)', async () => {
    const { service, stored } = setup();
    await reportIn(service, 'submitted');
    const before = await stored();
    // Each comment within its own limit (2,000 characters), but not all of them together.
    const fieldKeys = countyAnnualReport().sections.flatMap((section) =>
      section.fields.map((field) => field.key),
    );
    const comment = '请'.repeat(2_000);
    expect(fieldKeys.length * Buffer.byteLength(comment)).toBeGreaterThan(MAX_REPORT_BYTES);
    const error = await failure(
      service.returnToLibrary(province, keyOf(), {
        message: '请核对',
        fieldComments: Object.fromEntries(fieldKeys.map((key) => [key, comment])),
      }),
    );
    expect(error).toBeInstanceOf(PayloadTooLargeError);
    expect(error.errors.map((fieldError) => [fieldError.path, fieldError.code])).toEqual([
      ['fieldComments', 'report_too_large'],
    ]);
    expect(await stored()).toEqual(before);
    // Shorter comments on the same fields are taken.
    const returned = await service.returnToLibrary(province, keyOf(), {
      message: '请核对',
      fieldComments: Object.fromEntries(fieldKeys.map((key) => [key, '请核对此项'])),
    });
    expect(returned.status).toBe('returned');
  });

  it('writes nothing when the version a report was submitted on is no longer deployed', async () => {
    const before = setup();
    await reportIn(before.service, 'submitted');
    // The next deployment lost 2026.1 (the forms build refuses this; a hand-made catalog may not).
    const after = setup({ submissions: before.submissions, forms: registryOf([withAddedField()]) });
    const stored = await after.stored();
    const error = await after.service.accept(province, keyOf(), {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toBe(
      'Form county-annual-report version 2026.1, used by stored reports, is not deployed',
    );
    expect(await after.stored()).toEqual(stored);
  });

  it('keeps the first submission time through a return, resubmission, acceptance and reopening', async () => {
    const { service, stored, setTime } = setup();
    // Submitted before the due time (2026-01-31 23:59:59 Beijing time) ...
    setTime('2026-01-20T03:00:00.000Z');
    await reportIn(service, 'submitted');
    // ... returned after it, and so resubmitted after it.
    setTime('2026-02-03T00:00:00.000Z');
    await service.returnToLibrary(province, keyOf(), { message: '请核对', fieldComments: {} });
    setTime('2026-02-04T00:00:00.000Z');
    expect((await save(service, 3)).view.firstSubmittedAt).toBe('2026-01-20T03:00:00.000Z');
    setTime('2026-02-05T00:00:00.000Z');
    expect(await submit(service, 4)).toMatchObject({
      submittedAt: '2026-02-05T00:00:00.000Z',
      firstSubmittedAt: '2026-01-20T03:00:00.000Z',
    });
    await service.accept(province, keyOf(), {});
    await service.reopen(admin, keyOf(), { message: '需更正经费' });
    setTime('2026-02-10T00:00:00.000Z');
    expect(await submit(service, 7)).toMatchObject({
      submittedAt: '2026-02-10T00:00:00.000Z',
      firstSubmittedAt: '2026-01-20T03:00:00.000Z',
    });
    expect((await stored()).head?.firstSubmittedAt).toBe('2026-01-20T03:00:00.000Z');
  });

  it('takes the last submission as the first for a head stored before firstSubmittedAt existed', async () => {
    const submissions = new InMemorySubmissionStore();
    const { service, setTime } = setup({ submissions });
    setTime('2026-01-20T03:00:00.000Z');
    await reportIn(service, 'returned');
    // What such a head looks like: the same report without the field.
    const current = await submissions.getHead(keyOf());
    if (!current) throw new Error('no head');
    const { firstSubmittedAt: _first, ...old } = current;
    const at = '2026-01-25T00:00:00.000Z';
    const actor = { subject: 'librarian-140429', role: 'library' as const, libraryId: OWN };
    await submissions.commit(
      { ...old, revision: 4, updatedAt: at, updatedBy: actor },
      {
        ...keyOf(),
        revision: 4,
        action: 'save',
        status: 'returned',
        formVersion: old.formVersion,
        values: old.values,
        explanations: {},
        actor,
        at,
      },
      3,
    );
    setTime('2026-02-05T00:00:00.000Z');
    expect(await submit(service, 4)).toMatchObject({
      submittedAt: '2026-02-05T00:00:00.000Z',
      firstSubmittedAt: '2026-01-20T03:00:00.000Z',
    });
  });

  it('rejects comments on fields the form does not have with 400 and writes nothing', async () => {
    const { service, stored } = setup();
    await reportIn(service, 'submitted');
    const before = await stored();
    const error = await failure(
      service.returnToLibrary(province, keyOf(), {
        message: '请核对',
        fieldComments: { holdingsTotal: '核对', noSuchField: '？' },
      }),
    );
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.errors).toEqual([
      expect.objectContaining({ path: 'fieldComments.noSuchField', code: 'unknown_field' }),
    ]);
    expect(await stored()).toEqual(before);
  });

  it('judges field comments by the form version the report was started with', async () => {
    const submissions = new InMemorySubmissionStore();
    const before = setup({ submissions });
    await reportIn(before.service, 'submitted');
    // A new form version with an added field is published after the report was started.
    const after = setup({
      submissions,
      forms: registryOf([countyAnnualReport(), withAddedField()]),
    });
    const error = await failure(
      after.service.returnToLibrary(province, keyOf(), {
        message: '请核对',
        fieldComments: { selfServiceMachines: '？' },
      }),
    );
    expect(error).toBeInstanceOf(BadRequestError);
    expect((await after.service.get(province, keyOf())).formVersion).toBe('2026.1');
  });
});

describe('SubmissionService revisions', () => {
  it('records actor, time, action and status in contiguous, immutable revisions', async () => {
    const { service, setTime } = setup();
    const first = { servicePopulation: 165000 };
    const steps: [string, () => Promise<unknown>][] = [
      ['2025-12-01T01:00:00.000Z', () => save(service, 0, first)],
      ['2025-12-01T02:00:00.000Z', () => save(service, 1)],
      ['2025-12-01T03:00:00.000Z', () => submit(service, 2)],
      [
        '2025-12-01T04:00:00.000Z',
        () => service.returnToLibrary(province, keyOf(), { message: '请核对', fieldComments: {} }),
      ],
      ['2025-12-01T05:00:00.000Z', () => save(service, 4)],
      ['2025-12-01T06:00:00.000Z', () => submit(service, 5)],
      ['2025-12-01T07:00:00.000Z', () => service.accept(admin, keyOf(), {})],
      ['2025-12-01T08:00:00.000Z', () => service.reopen(admin, keyOf(), { message: '更正' })],
    ];
    for (const [at, step] of steps) {
      setTime(at);
      await step();
    }

    const library = { subject: 'librarian-140429', role: 'library', libraryId: OWN };
    const provinceActor = { subject: 'province-1', role: 'province' };
    const adminActor = { subject: 'admin-1', role: 'admin' };
    const expected = [
      { revision: 8, action: 'reopen', status: 'returned', actor: adminActor },
      { revision: 7, action: 'accept', status: 'accepted', actor: adminActor },
      { revision: 6, action: 'submit', status: 'submitted', actor: library },
      { revision: 5, action: 'save', status: 'returned', actor: library },
      { revision: 4, action: 'return', status: 'returned', actor: provinceActor },
      { revision: 3, action: 'submit', status: 'submitted', actor: library },
      { revision: 2, action: 'save', status: 'draft', actor: library },
      { revision: 1, action: 'save', status: 'draft', actor: library },
    ].map((summary) => ({
      ...summary,
      at: `2025-12-01T0${summary.revision}:00:00.000Z`,
    }));

    const page = await service.listRevisions(librarian(), keyOf(), { limit: 50 });
    expect(page.nextCursor).toBeUndefined();
    expect(page.items).toHaveLength(8);
    page.items.forEach((item, index) => {
      expect(item).toMatchObject({ ...keyOf(), formVersion: '2026.1', ...expected[index] });
      expect(item.actor).toEqual(expected[index]?.actor);
      expect(item).not.toHaveProperty('values');
    });

    // The first revision still holds what was saved first.
    const revisionOne = await service.getRevision(province, keyOf(), 1);
    expect(revisionOne.values).toEqual(first);
    expect((await service.getRevision(librarian(), keyOf(), 2)).values).toEqual(
      wuxiangReport2025(),
    );
    expect(await failure(service.getRevision(province, keyOf(), 9))).toBeInstanceOf(NotFoundError);
  });

  it('pages revisions newest first with an opaque cursor', async () => {
    const { service } = setup();
    for (let revision = 0; revision < 5; revision += 1) await save(service, revision);
    const numbers: number[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await service.listRevisions(province, keyOf(), {
        limit: 2,
        ...(cursor === undefined ? {} : { cursor }),
      });
      numbers.push(...page.items.map((item) => item.revision));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor !== undefined);
    expect(numbers).toEqual([5, 4, 3, 2, 1]);
    expect(pages).toBe(3);
  });

  it('rejects a cursor it did not issue for this query with 400', async () => {
    const { service } = setup();
    await save(service, 0);
    await save(service, 1);
    await save(service, 0, wuxiangReport2025(), librarian(OTHER), keyOf(OTHER));
    await save(service, 1, wuxiangReport2025(), librarian(OTHER), keyOf(OTHER));
    const othersCursor = (await service.listRevisions(admin, keyOf(OTHER), { limit: 1 }))
      .nextCursor;
    expect(othersCursor).toEqual(expect.any(String));
    for (const cursor of [othersCursor ?? '', 'not-a-cursor', '', 'eyJ4IjoxfQ']) {
      const error = await failure(service.listRevisions(admin, keyOf(), { limit: 1, cursor }));
      expect(error).toBeInstanceOf(InvalidCursorError);
      expect(error.statusCode).toBe(400);
    }
  });
});

describe('SubmissionService.get and list', () => {
  it('answers 404 for a report not yet created, to a caller allowed to read it', async () => {
    const { service } = setup();
    for (const principal of [librarian(), province, admin]) {
      expect(await failure(service.get(principal, keyOf()))).toBeInstanceOf(NotFoundError);
    }
  });

  it('answers 404 for an unknown form and 400 for a malformed period', async () => {
    const { service } = setup();
    const unknownForm = { ...keyOf(), formId: 'no-such-form' };
    expect(await failure(service.get(province, unknownForm))).toBeInstanceOf(NotFoundError);
    expect(await failure(save(service, 0, {}, librarian(), keyOf(OWN, '2025-H1')))).toBeInstanceOf(
      BadRequestError,
    );
  });

  it('lists the heads of a period by library, without values, page by page', async () => {
    const { service, setTime } = setup();
    for (const libraryId of ['140781', '140429', '140522']) {
      await save(service, 0, wuxiangReport2025(), librarian(libraryId), keyOf(libraryId));
    }
    // Another period's report is not in this period's list.
    setTime('2025-01-15T00:00:00.000Z');
    await save(service, 0, wuxiangReport2025(), librarian(), keyOf(OWN, '2024'));
    setTime(OPEN_TIME);
    const first = await service.list(province, FORM_ID, PERIOD, { limit: 2 });
    expect(first.items.map((item) => item.libraryId)).toEqual(['140429', '140522']);
    expect(first.items[0]).not.toHaveProperty('values');
    expect(first.items[0]).toMatchObject({ status: 'draft', revision: 1 });
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await service.list(admin, FORM_ID, PERIOD, {
      limit: 2,
      cursor: first.nextCursor,
    });
    expect(second.items.map((item) => item.libraryId)).toEqual(['140781']);
    expect(second.nextCursor).toBeUndefined();

    const otherPeriod = await failure(
      service.list(province, FORM_ID, '2024', { limit: 2, cursor: first.nextCursor }),
    );
    expect(otherPeriod).toBeInstanceOf(InvalidCursorError);
  });
});

describe('SubmissionService authorization', () => {
  const returnBody = { message: '请核对', fieldComments: {} };

  it("forbids a librarian every step on another library's report", async () => {
    const { service, stored } = setup();
    await reportIn(service, 'submitted', keyOf(OTHER));
    const before = await stored(keyOf(OTHER));
    const intruder = librarian(OWN);
    const steps = [
      service.get(intruder, keyOf(OTHER)),
      service.saveDraft(intruder, keyOf(OTHER), { values: {}, expectedRevision: 2 }),
      service.submit(intruder, keyOf(OTHER), { expectedRevision: 2, explanations: {} }),
      service.listRevisions(intruder, keyOf(OTHER), { limit: 10 }),
      service.getRevision(intruder, keyOf(OTHER), 1),
      service.returnToLibrary(intruder, keyOf(OTHER), returnBody),
      service.accept(intruder, keyOf(OTHER), {}),
      service.list(intruder, FORM_ID, PERIOD, { limit: 10 }),
    ];
    for (const step of steps) {
      const error = await failure(step);
      expect(error).toBeInstanceOf(ForbiddenError);
      expect(error.statusCode).toBe(403);
    }
    expect(await stored(keyOf(OTHER))).toEqual(before);
  });

  it('forbids the province and administrators to edit or submit a report', async () => {
    const { service, stored } = setup();
    await reportIn(service, 'draft');
    const before = await stored();
    for (const principal of [province, admin]) {
      const steps = [
        service.saveDraft(principal, keyOf(), { values: {}, expectedRevision: 1 }),
        service.submit(principal, keyOf(), { expectedRevision: 1, explanations: {} }),
      ];
      for (const step of steps) expect(await failure(step)).toBeInstanceOf(ForbiddenError);
    }
    expect(await stored()).toEqual(before);
  });

  it('forbids a librarian to review its own report', async () => {
    const { service, stored } = setup();
    await reportIn(service, 'submitted');
    const before = await stored();
    expect(await failure(service.returnToLibrary(librarian(), keyOf(), returnBody))).toBeInstanceOf(
      ForbiddenError,
    );
    expect(await failure(service.accept(librarian(), keyOf(), {}))).toBeInstanceOf(ForbiddenError);
    expect(await stored()).toEqual(before);
  });

  it('lets only administrators reopen an accepted report', async () => {
    const { service, stored } = setup();
    await reportIn(service, 'accepted');
    const before = await stored();
    for (const principal of [province, librarian()]) {
      expect(await failure(service.reopen(principal, keyOf(), { message: '重开' }))).toBeInstanceOf(
        ForbiddenError,
      );
    }
    expect(await stored()).toEqual(before);
    expect((await service.reopen(admin, keyOf(), { message: '重开' })).status).toBe('returned');
  });

  it('answers 403, not 404, to a forbidden caller on a report that does not exist', async () => {
    const { service } = setup();
    const missing = keyOf(OTHER);
    const steps = [
      service.get(librarian(), missing),
      service.saveDraft(librarian(), missing, { values: {}, expectedRevision: 0 }),
      service.saveDraft(province, missing, { values: {}, expectedRevision: 0 }),
      service.submit(librarian(), missing, { expectedRevision: 1, explanations: {} }),
      service.submit(admin, missing, { expectedRevision: 1, explanations: {} }),
      service.returnToLibrary(librarian(), missing, returnBody),
      service.returnToLibrary(librarian(OTHER), missing, returnBody),
      service.accept(librarian(OTHER), missing, {}),
      service.reopen(province, missing, { message: '重开' }),
      service.listRevisions(librarian(), missing, { limit: 10 }),
      service.getRevision(librarian(), missing, 1),
    ];
    for (const step of steps) expect(await failure(step)).toBeInstanceOf(ForbiddenError);
  });

  it('answers a forbidden reviewer 403 whatever the body, so it cannot probe for reports', async () => {
    const submissions = new InMemorySubmissionStore();
    await reportIn(setup({ submissions }).service, 'submitted', keyOf(OTHER));
    // With two form versions, a comment on the new field is unknown only to the old version.
    const { service } = setup({
      submissions,
      forms: registryOf([countyAnnualReport(), withAddedField()]),
    });
    const probe = { message: '？', fieldComments: { selfServiceMachines: '？' } };
    const onExisting = await failure(service.returnToLibrary(librarian(), keyOf(OTHER), probe));
    const onMissing = await failure(service.returnToLibrary(librarian(), keyOf('140431'), probe));
    expect(onExisting).toBeInstanceOf(ForbiddenError);
    expect(onMissing).toBeInstanceOf(ForbiddenError);
    const withUnknownField = { message: '？', fieldComments: { noSuchField: '？' } };
    expect(
      await failure(service.returnToLibrary(librarian(), keyOf(OTHER), withUnknownField)),
    ).toBeInstanceOf(ForbiddenError);
  });
});

describe('SubmissionService period windows', () => {
  it('locks writing before the period opens, with the reason in both languages', async () => {
    const { service, setTime, stored } = setup();
    setTime('2025-10-31T15:59:59.999Z');
    const error = await failure(save(service, 0));
    expect(error).toBeInstanceOf(LockedError);
    expect(error.statusCode).toBe(423);
    expect(error.detail.zh).toContain('尚未开放');
    expect(error.detail.zh).toContain('2025');
    expect(error.detail.en).toBe(`This period opens for reporting at ${OPENS_AT}.`);
    expect(await stored()).toEqual({ head: undefined, revisions: [] });

    setTime(OPENS_AT);
    expect((await save(service, 0)).created).toBe(true);
  });

  it('locks saving and submitting once the second of locksAt is over, with the reason in both languages', async () => {
    const { service, setTime, stored } = setup();
    await save(service, 0);
    setTime('2026-03-31T15:59:58.999Z');
    await save(service, 1);
    // locksAt is 23:59:59 Beijing time: that whole second still counts.
    setTime(LOCKS_AT);
    await save(service, 2);
    setTime('2026-03-31T15:59:59.400Z');
    await save(service, 3);
    setTime('2026-03-31T16:00:00.000Z');
    const before = await stored();
    for (const step of [save(service, 4), submit(service, 4)]) {
      const error = await failure(step);
      expect(error).toBeInstanceOf(LockedError);
      expect(error.statusCode).toBe(423);
      expect(error.detail.zh).toContain('锁定');
      expect(error.detail.zh).toContain('管理员');
      expect(error.detail.en).toContain(`locked at ${LOCKS_AT}`);
    }
    expect(await stored()).toEqual(before);
  });

  it('takes a submission in the last second before the lock', async () => {
    const { service, setTime } = setup();
    await save(service, 0);
    setTime('2026-03-31T15:59:59.400Z');
    expect(await submit(service, 1)).toMatchObject({
      status: 'submitted',
      submittedAt: '2026-03-31T15:59:59.400Z',
    });
  });

  it('still lets the province review after the lock', async () => {
    const { service, setTime } = setup();
    await reportIn(service, 'submitted');
    setTime('2026-05-01T00:00:00.000Z');
    expect((await service.accept(province, keyOf(), {})).status).toBe('accepted');
  });

  it("lets an exception's library, and only it, write after the lock until `until`", async () => {
    const { service, periods, setTime } = setup();
    await save(service, 0);
    setTime('2026-04-02T00:00:00.000Z');
    const exception = await periods.addException(admin, FORM_ID, PERIOD, {
      libraryId: OWN,
      until: '2026-04-15T00:00:00+08:00',
    });
    expect(exception).toEqual({
      libraryId: OWN,
      until: '2026-04-14T16:00:00.000Z',
      grantedBy: { subject: 'admin-1', role: 'admin' },
      grantedAt: '2026-04-02T00:00:00.000Z',
    });

    setTime('2026-04-14T15:59:59.999Z');
    expect((await save(service, 1)).view.revision).toBe(2);
    expect((await submit(service, 2)).status).toBe('submitted');
    const other = await failure(
      save(service, 0, wuxiangReport2025(), librarian(OTHER), keyOf(OTHER)),
    );
    expect(other).toBeInstanceOf(LockedError);

    // Like locksAt, `until` holds for its whole second.
    setTime('2026-04-14T16:00:00.900Z');
    await service.returnToLibrary(province, keyOf(), { message: '请核对', fieldComments: {} });
    expect((await save(service, 4)).view.revision).toBe(5);
    setTime('2026-04-14T16:00:01.000Z');
    expect(await failure(save(service, 5))).toBeInstanceOf(LockedError);
  });

  it('refuses an exception that would end before the lock or is already over (400 at until)', async () => {
    const { periods, setTime } = setup();
    setTime('2026-04-02T00:00:00.000Z');
    for (const until of ['2026-03-31T23:59:59+08:00', '2026-04-01T12:00:00+08:00']) {
      const error = await failure(
        periods.addException(admin, FORM_ID, PERIOD, { libraryId: OWN, until }),
      );
      expect(error).toBeInstanceOf(BadRequestError);
      expect(error.errors.map((fieldError) => [fieldError.path, fieldError.code])).toEqual([
        ['until', 'until_too_early'],
      ]);
    }
    expect((await periods.get(admin, FORM_ID, PERIOD)).exceptions).toEqual([]);
  });

  it('refuses an exception for a library the registry does not hold (400 at libraryId)', async () => {
    const { periods, setTime } = setup();
    setTime('2026-04-02T00:00:00.000Z');
    const error = await failure(
      periods.addException(admin, FORM_ID, PERIOD, {
        libraryId: '140499',
        until: '2026-04-20T00:00:00+08:00',
      }),
    );
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.errors.map((fieldError) => [fieldError.path, fieldError.code])).toEqual([
      ['libraryId', 'unknown_library'],
    ]);
    expect((await periods.get(admin, FORM_ID, PERIOD)).exceptions).toEqual([]);
  });

  it('does not let an exception open a period early', async () => {
    const { service, periods, setTime } = setup();
    setTime('2025-10-01T00:00:00.000Z');
    await periods.addException(admin, FORM_ID, PERIOD, {
      libraryId: OWN,
      until: '2026-12-31T00:00:00+08:00',
    });
    expect(await failure(save(service, 0))).toBeInstanceOf(LockedError);
  });

  it("uses an administrator's window over the default", async () => {
    const { service, periods, setTime } = setup();
    setTime('2025-05-01T00:00:00.000Z');
    const view = await periods.update(admin, FORM_ID, PERIOD, {
      opensAt: '2025-06-01T00:00:00+08:00',
      dueAt: '2025-09-30T23:59:59+08:00',
      locksAt: '2025-10-31T23:59:59+08:00',
    });
    expect(view).toMatchObject({
      opensAt: '2025-05-31T16:00:00.000Z',
      dueAt: '2025-09-30T15:59:59.000Z',
      locksAt: '2025-10-31T15:59:59.000Z',
      source: 'custom',
    });

    // Before the default window opens, inside the custom one.
    setTime('2025-07-01T00:00:00.000Z');
    const { view: saved } = await save(service, 0);
    expect(saved.window).toEqual({
      opensAt: '2025-05-31T16:00:00.000Z',
      dueAt: '2025-09-30T15:59:59.000Z',
      locksAt: '2025-10-31T15:59:59.000Z',
      source: 'custom',
    });

    // Inside the default window, after the custom lock.
    setTime(OPEN_TIME);
    expect(await failure(save(service, 1))).toBeInstanceOf(LockedError);
  });

  it('rejects a window whose dueAt is not after opensAt, naming dueAt, and keeps the old one', async () => {
    const { periods } = setup();
    const error = await failure(
      periods.update(admin, FORM_ID, PERIOD, {
        opensAt: '2025-11-01T00:00:00+08:00',
        dueAt: '2025-10-01T00:00:00+08:00',
        locksAt: '2026-03-31T23:59:59+08:00',
      }),
    );
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.errors).toEqual([
      {
        path: 'dueAt',
        code: 'custom',
        message: { zh: '截止时间应晚于开放时间', en: 'dueAt must be after opensAt' },
      },
    ]);
    expect((await periods.windowFor(FORM_ID, PERIOD)).source).toBe('default');
  });

  it('lets only administrators change windows and grant exceptions', async () => {
    const { periods } = setup();
    const window = {
      opensAt: '2025-11-01T00:00:00+08:00',
      dueAt: '2026-01-31T23:59:59+08:00',
      locksAt: '2026-03-31T23:59:59+08:00',
    };
    const exception = { libraryId: OWN, until: '2026-04-15T00:00:00+08:00' };
    for (const principal of [province, librarian()]) {
      expect(await failure(periods.update(principal, FORM_ID, PERIOD, window))).toBeInstanceOf(
        ForbiddenError,
      );
      expect(
        await failure(periods.addException(principal, FORM_ID, PERIOD, exception)),
      ).toBeInstanceOf(ForbiddenError);
    }
    expect((await periods.windowFor(FORM_ID, PERIOD)).source).toBe('default');
  });
});

/** Delegates to a real store; runs `beforeCommit` first, e.g. to let a rival win the race. */
class InterceptingStore implements SubmissionStore {
  constructor(
    private readonly inner: SubmissionStore,
    private readonly beforeCommit: () => Promise<void>,
  ) {}

  getHead(key: SubmissionKey): Promise<SubmissionHead | undefined> {
    return this.inner.getHead(key);
  }

  getHeads(keys: readonly SubmissionKey[]): Promise<(SubmissionHead | undefined)[]> {
    return this.inner.getHeads(keys);
  }

  async commit(
    head: SubmissionHead,
    revision: SubmissionRevision,
    expectedRevision: number,
  ): Promise<void> {
    await this.beforeCommit();
    return this.inner.commit(head, revision, expectedRevision);
  }

  listRevisions(key: SubmissionKey, page: PageRequest): Promise<Page<SubmissionRevision>> {
    return this.inner.listRevisions(key, page);
  }

  getRevision(key: SubmissionKey, revision: number): Promise<SubmissionRevision | undefined> {
    return this.inner.getRevision(key, revision);
  }

  listHeads(formId: string, period: string, page: PageRequest): Promise<Page<SubmissionHead>> {
    return this.inner.listHeads(formId, period, page);
  }
}

describe('SubmissionService lost races', () => {
  it('maps a commit the store refuses with RevisionConflictError to 409', async () => {
    const { service, stored } = setup({
      store: (inner) =>
        new InterceptingStore(inner, async () => {
          throw new RevisionConflictError(keyOf(), 0);
        }),
    });
    const error = await failure(save(service, 0));
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.statusCode).toBe(409);
    expect(error.errors).toEqual([
      expect.objectContaining({ path: 'expectedRevision', code: 'stale_revision' }),
    ]);
    expect(await stored()).toEqual({ head: undefined, revisions: [] });
  });

  it('gives the loser of a real race 409 and keeps the winner', async () => {
    const submissions = new InMemorySubmissionStore();
    const rival = setup({ submissions });
    await save(rival.service, 0);
    let raced = false;
    const { service, stored } = setup({
      submissions,
      store: (inner) =>
        new InterceptingStore(inner, async () => {
          if (raced) return;
          raced = true;
          // Between the loser's read and its write, another session saves revision 2.
          await save(rival.service, 1, { ...wuxiangReport2025(), visits: 1 });
        }),
    });
    const error = await failure(save(service, 1, { ...wuxiangReport2025(), visits: 2 }));
    expect(raced).toBe(true);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.detail.en).toContain('now revision 2; you edited 1');
    const { head, revisions } = await stored();
    expect(head).toMatchObject({ revision: 2, values: { visits: 1 } });
    expect(revisions.map((revision) => revision.revision)).toEqual([2, 1]);
  });

  it('also maps a lost race on a review step to 409', async () => {
    const submissions = new InMemorySubmissionStore();
    const rival = setup({ submissions });
    await reportIn(rival.service, 'submitted');
    let raced = false;
    const { service, stored } = setup({
      submissions,
      store: (inner) =>
        new InterceptingStore(inner, async () => {
          if (raced) return;
          raced = true;
          await rival.service.accept(admin, keyOf(), {});
        }),
    });
    const error = await failure(
      service.returnToLibrary(province, keyOf(), { message: '请核对', fieldComments: {} }),
    );
    expect(error).toBeInstanceOf(ConflictError);
    expect((await stored()).head).toMatchObject({ status: 'accepted', revision: 3 });
  });
});

const actor = { subject: 'librarian-140429', role: 'library', libraryId: OWN } as const;

const headAt = (revision: number, libraryId = OWN, period = PERIOD): SubmissionHead => ({
  ...keyOf(libraryId, period),
  formVersion: '2026.1',
  status: 'draft',
  revision,
  values: { visits: revision },
  explanations: {},
  createdAt: OPEN_TIME,
  updatedAt: OPEN_TIME,
  updatedBy: actor,
});

const revisionOf = (head: SubmissionHead): SubmissionRevision => ({
  libraryId: head.libraryId,
  formId: head.formId,
  period: head.period,
  revision: head.revision,
  action: 'save',
  status: head.status,
  formVersion: head.formVersion,
  values: head.values,
  explanations: head.explanations,
  actor,
  at: head.updatedAt,
});

const commitAt = (store: SubmissionStore, revision: number, libraryId = OWN, period = PERIOD) => {
  const head = headAt(revision, libraryId, period);
  return store.commit(head, revisionOf(head), revision - 1);
};

describe('InMemorySubmissionStore', () => {
  it('creates only when expectedRevision is 0 and nothing exists', async () => {
    const store = new InMemorySubmissionStore();
    await expect(store.commit(headAt(2), revisionOf(headAt(2)), 1)).rejects.toBeInstanceOf(
      RevisionConflictError,
    );
    await commitAt(store, 1);
    await expect(store.commit(headAt(1), revisionOf(headAt(1)), 0)).rejects.toBeInstanceOf(
      RevisionConflictError,
    );
    expect(await store.getHead(keyOf())).toEqual(headAt(1));
  });

  it('moves the head only from the expected revision, writing head and revision together', async () => {
    const store = new InMemorySubmissionStore();
    await commitAt(store, 1);
    await commitAt(store, 2);
    const stale = headAt(3);
    await expect(store.commit(stale, revisionOf(stale), 1)).rejects.toBeInstanceOf(
      RevisionConflictError,
    );
    expect(await store.getHead(keyOf())).toEqual(headAt(2));
    expect(await store.getRevision(keyOf(), 3)).toBeUndefined();
  });

  it('never overwrites a revision, even when the head condition holds', async () => {
    const store = new InMemorySubmissionStore();
    await commitAt(store, 1);
    await commitAt(store, 2);
    const head = headAt(3);
    const rewrite = { ...revisionOf(headAt(2)), values: { visits: 99 } };
    await expect(store.commit(head, rewrite, 2)).rejects.toBeInstanceOf(RevisionConflictError);
    expect((await store.getRevision(keyOf(), 2))?.values).toEqual({ visits: 2 });
    expect((await store.getHead(keyOf()))?.revision).toBe(2);
  });

  it('keeps copies: mutating what was committed or read changes nothing stored', async () => {
    const store = new InMemorySubmissionStore();
    const head = headAt(1);
    const revision = revisionOf(head);
    await store.commit(head, revision, 0);
    head.values.visits = 100;
    revision.values.visits = 100;
    const read = await store.getHead(keyOf());
    if (read) read.values.visits = 200;
    expect((await store.getHead(keyOf()))?.values).toEqual({ visits: 1 });
    expect((await store.getRevision(keyOf(), 1))?.values).toEqual({ visits: 1 });
  });

  it('rejects a head and revision of different reports', async () => {
    const store = new InMemorySubmissionStore();
    const head = headAt(1);
    await expect(store.commit(head, revisionOf(headAt(1, OTHER)), 0)).rejects.toThrow(
      'does not belong',
    );
    expect(await store.getHead(keyOf())).toBeUndefined();
  });

  it('lists revisions newest first and heads by library, each page with its own cursor', async () => {
    const store = new InMemorySubmissionStore();
    for (let revision = 1; revision <= 3; revision += 1) await commitAt(store, revision);
    const first = await store.listRevisions(keyOf(), { limit: 2 });
    expect(first.items.map((item) => item.revision)).toEqual([3, 2]);
    const second = await store.listRevisions(keyOf(), { limit: 2, cursor: first.nextCursor });
    expect(second.items.map((item) => item.revision)).toEqual([1]);
    expect(second.nextCursor).toBeUndefined();
    // Exactly one page: no cursor to an empty page.
    expect((await store.listRevisions(keyOf(), { limit: 3 })).nextCursor).toBeUndefined();

    for (const libraryId of ['140800', '140100', '140500']) await commitAt(store, 1, libraryId);
    await commitAt(store, 1, '140200', '2024');
    const heads = await store.listHeads(FORM_ID, PERIOD, { limit: 3 });
    expect(heads.items.map((head) => head.libraryId)).toEqual(['140100', '140429', '140500']);
    const rest = await store.listHeads(FORM_ID, PERIOD, { limit: 3, cursor: heads.nextCursor });
    expect(rest.items.map((head) => head.libraryId)).toEqual(['140800']);
    expect(rest.nextCursor).toBeUndefined();
    expect((await store.listHeads(FORM_ID, '2023', { limit: 3 })).items).toEqual([]);

    // A cursor answers only the query that issued it.
    await expect(
      store.listHeads(FORM_ID, PERIOD, { limit: 3, cursor: first.nextCursor }),
    ).rejects.toBeInstanceOf(InvalidCursorError);
    await expect(
      store.listRevisions(keyOf(OTHER), { limit: 3, cursor: first.nextCursor }),
    ).rejects.toBeInstanceOf(InvalidCursorError);
    await expect(
      store.listRevisions(keyOf(), { limit: 3, cursor: heads.nextCursor }),
    ).rejects.toBeInstanceOf(InvalidCursorError);
    await expect(
      store.listHeads(FORM_ID, PERIOD, { limit: 3, cursor: '%%%' }),
    ).rejects.toBeInstanceOf(InvalidCursorError);
  });
});

describe('InMemoryPeriodStore', () => {
  it('stores windows and one exception per library, replaced by a new grant', async () => {
    const store = new InMemoryPeriodStore();
    expect(await store.getWindow(FORM_ID, PERIOD)).toBeUndefined();
    const window = {
      opensAt: OPENS_AT,
      dueAt: '2026-01-31T15:59:59.000Z',
      locksAt: LOCKS_AT,
      updatedBy: { subject: 'admin-1', role: 'admin' as const },
      updatedAt: OPEN_TIME,
    };
    await store.putWindow(FORM_ID, PERIOD, window);
    expect(await store.getWindow(FORM_ID, PERIOD)).toEqual(window);
    expect(await store.getWindow(FORM_ID, '2024')).toBeUndefined();

    const grant = (libraryId: string, until: string) => ({
      libraryId,
      until,
      grantedBy: { subject: 'admin-1', role: 'admin' as const },
      grantedAt: OPEN_TIME,
    });
    await store.putException(FORM_ID, PERIOD, grant(OTHER, '2026-04-10T00:00:00.000Z'));
    await store.putException(FORM_ID, PERIOD, grant(OWN, '2026-04-10T00:00:00.000Z'));
    await store.putException(FORM_ID, PERIOD, grant(OWN, '2026-04-20T00:00:00.000Z'));
    expect(await store.listExceptions(FORM_ID, PERIOD)).toEqual([
      grant(OWN, '2026-04-20T00:00:00.000Z'),
      grant(OTHER, '2026-04-10T00:00:00.000Z'),
    ]);
    expect(await store.listExceptions(FORM_ID, '2024')).toEqual([]);
  });
});
