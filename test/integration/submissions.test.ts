/**
 * The submission lifecycle through HTTP against the local stack: saving drafts with optimistic
 * revisions, draft and final validation, review, year-over-year rules, revision history, the
 * province list and period windows. Every describe uses its own libraries (and, for custom
 * windows, its own periods), because all integration files share one stack and may run in
 * parallel. Within a file, every test sets up the report and the window it needs (or shares,
 * through beforeAll, one that none of its tests changes), so that it passes alone and in any order.
 */
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { revisionPrefix, submissionKeys } from '../../adapters/dynamodb/keys.js';
import { wuxiangReport2025 } from '../../domain/forms/fixtures.js';
import { answerJson, api, dynamoDbClient, sendJson, stack, tokenFor } from './support.js';

const FORM = 'county-annual-report';

interface Localized {
  zh: string;
  en: string;
}

interface Problem {
  status: number;
  message: Localized;
  errors?: { path: string; code: string; message: Localized }[];
}

interface Violation {
  ruleId: string;
  severity: string;
  message: Localized;
}

interface Actor {
  subject: string;
  role: string;
  libraryId?: string;
}

interface View {
  libraryId: string;
  formId: string;
  period: string;
  status: string;
  revision: number;
  values: Record<string, unknown>;
  explanations: Record<string, string>;
  review?: { message: string; fieldComments: Record<string, string>; by: Actor; at: string };
  derived: Record<string, number>;
  validation: {
    fieldErrors: unknown[];
    ruleErrors: Violation[];
    warnings: Violation[];
    skippedRules: string[];
  };
  previous?: { period: string; values: Record<string, unknown> };
  submittedAt?: string;
  firstSubmittedAt?: string;
  acceptedAt?: string;
}

interface RevisionSummary {
  revision: number;
  action: string;
  status: string;
  actor: Actor;
  at: string;
  values?: unknown;
}

interface RevisionFull extends RevisionSummary {
  values: Record<string, unknown>;
  explanations: Record<string, string>;
}

interface Page<Item> {
  items: Item[];
  nextCursor?: string;
}

interface PeriodView {
  formId: string;
  period: string;
  opensAt: string;
  dueAt: string;
  locksAt: string;
  source: 'default' | 'custom';
  exceptions: { libraryId: string; until: string }[];
}

const submissionPath = (libraryId: string, period = '2026') =>
  `/api/libraries/${libraryId}/submissions/${FORM}/${period}`;
const periodPath = (period: string) => `/api/periods/${FORM}/${period}`;

const HAN = /\p{Script=Han}/u;

/** A problem+json body with the status, zh/en messages and no internals. */
const expectProblem = async (response: Response, status: number): Promise<Problem> => {
  const text = await response.text();
  if (response.status !== status) {
    throw new Error(`expected problem ${status}, got ${response.status}: ${text}`);
  }
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(text).not.toMatch(/at .*\.(ts|js):\d+|Exception|stack|DynamoDB|LIB#/);
  const body = JSON.parse(text) as Problem;
  expect(body.status).toBe(status);
  expect(body.message.zh).toMatch(HAN);
  expect(body.message.en).toEqual(expect.any(String));
  for (const error of body.errors ?? []) {
    expect(error).toEqual({
      path: expect.any(String),
      code: expect.any(String),
      message: { zh: expect.stringMatching(HAN), en: expect.any(String) },
    });
  }
  return body;
};

const pathsOf = (problem: Problem) => (problem.errors ?? []).map((error) => error.path);

const ruleIds = (violations: readonly Violation[]) => violations.map((v) => v.ruleId);

const inMs = (milliseconds: number) => new Date(Date.now() + milliseconds).toISOString();
const DAY = 24 * 60 * 60 * 1000;

const dynamo = dynamoDbClient();
afterAll(() => dynamo.destroy());

/** How many immutable revisions the table holds for a report, read straight from DynamoDB. */
const storedRevisionCount = async (libraryId: string, period = '2026') => {
  const { Count } = await dynamo.send(
    new QueryCommand({
      TableName: stack.tableName,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: {
        ':pk': { S: submissionKeys({ libraryId, formId: FORM, period }).PK },
        ':prefix': { S: revisionPrefix({ formId: FORM, period }) },
      },
      Select: 'COUNT',
      ConsistentRead: true,
    }),
  );
  return Count ?? 0;
};

const getView = async (token: string, libraryId: string, period = '2026') =>
  answerJson<View>(await api(submissionPath(libraryId, period), { token }), 200);

/** A complete report with no rule violated and no warning raised (no previous period). */
const fullReport = (): Record<string, unknown> => wuxiangReport2025();

/** Saves a new report once for each holdingsTotal, in turn: its drafts of revision 1 to n. */
const saveDrafts = async (libraryId: string, token: string, holdingsTotals: readonly number[]) => {
  for (const [revision, holdingsTotal] of holdingsTotals.entries()) {
    await answerJson(
      await sendJson(submissionPath(libraryId), 'PUT', token, {
        values: { holdingsTotal },
        expectedRevision: revision,
      }),
      revision === 0 ? 201 : 200,
    );
  }
};

describe('saving drafts with expected revisions', () => {
  describe('a report never saved', () => {
    const LIB = '140105';
    let token: string;
    beforeAll(async () => {
      token = await tokenFor('library', LIB);
    });

    it('answers 404 before the first save', async () => {
      const problem = await expectProblem(await api(submissionPath(LIB), { token }), 404);
      expect(problem.message.en).toContain(LIB);
    });

    it('refuses to create the report with an expectedRevision other than 0 (409)', async () => {
      const problem = await expectProblem(
        await sendJson(submissionPath(LIB), 'PUT', token, { values: {}, expectedRevision: 3 }),
        409,
      );
      expect(pathsOf(problem)).toEqual(['expectedRevision']);
      await expectProblem(await api(submissionPath(LIB), { token }), 404);
      expect(await storedRevisionCount(LIB)).toBe(0);
    });
  });

  it('creates the report with expectedRevision 0 as revision 1, a draft', async () => {
    const LIB = '140222';
    const response = await sendJson(submissionPath(LIB), 'PUT', await tokenFor('library', LIB), {
      values: { holdingsTotal: 1000 },
      expectedRevision: 0,
    });
    const view = await answerJson<View>(response, 201);
    expect(view).toMatchObject({
      libraryId: LIB,
      formId: FORM,
      period: '2026',
      status: 'draft',
      revision: 1,
      values: { holdingsTotal: 1000 },
    });
    expect(await storedRevisionCount(LIB)).toBe(1);
  });

  it('saves the next revision with expectedRevision 1 (200)', async () => {
    const LIB = '140223';
    const token = await tokenFor('library', LIB);
    await saveDrafts(LIB, token, [1000]);
    const response = await sendJson(submissionPath(LIB), 'PUT', token, {
      values: { holdingsTotal: 2000 },
      expectedRevision: 1,
    });
    expect(await answerJson<View>(response, 200)).toMatchObject({
      status: 'draft',
      revision: 2,
      values: { holdingsTotal: 2000 },
    });
  });

  describe('a report at revision 2', () => {
    const LIB = '140224';
    let token: string;
    beforeAll(async () => {
      token = await tokenFor('library', LIB);
      await saveDrafts(LIB, token, [1000, 2000]);
    });

    it('refuses a stale expectedRevision with 409 and leaves the head alone', async () => {
      const problem = await expectProblem(
        await sendJson(submissionPath(LIB), 'PUT', token, {
          values: { holdingsTotal: 3000 },
          expectedRevision: 1,
        }),
        409,
      );
      expect(problem.errors).toContainEqual(
        expect.objectContaining({ path: 'expectedRevision', code: 'stale_revision' }),
      );
      expect(problem.message.en).toMatch(/revision 2/);
      const view = await getView(token, LIB);
      expect(view.revision).toBe(2);
      expect(view.values).toEqual({ holdingsTotal: 2000 });
      expect(await storedRevisionCount(LIB)).toBe(2);
    });

    it('refuses to create the report a second time (expectedRevision 0 → 409)', async () => {
      await expectProblem(
        await sendJson(submissionPath(LIB), 'PUT', token, {
          values: { holdingsTotal: 4000 },
          expectedRevision: 0,
        }),
        409,
      );
      expect((await getView(token, LIB)).revision).toBe(2);
      expect(await storedRevisionCount(LIB)).toBe(2);
    });
  });
});

describe('the form version a draft is written in', () => {
  const LIB = '140431';

  it('is its own or the current one; any other gets 400 at formVersion and writes nothing', async () => {
    const token = await tokenFor('library', LIB);
    await saveDrafts(LIB, token, [1000]);
    const other = await expectProblem(
      await sendJson(submissionPath(LIB), 'PUT', token, {
        values: { holdingsTotal: 2000 },
        expectedRevision: 1,
        formVersion: '2027.1',
      }),
      400,
    );
    expect(other.errors).toEqual([
      expect.objectContaining({ path: 'formVersion', code: 'not_current_version' }),
    ]);
    expect(await storedRevisionCount(LIB)).toBe(1);

    const own = await sendJson(submissionPath(LIB), 'PUT', token, {
      values: { holdingsTotal: 2000 },
      expectedRevision: 1,
      formVersion: '2026.1',
    });
    expect(await answerJson<View>(own, 200)).toMatchObject({ revision: 2, formVersion: '2026.1' });
  });
});

describe('draft validation', () => {
  const LIB = '140106';
  let token: string;
  beforeAll(async () => {
    token = await tokenFor('library', LIB);
    await answerJson(
      await sendJson(submissionPath(LIB), 'PUT', token, {
        values: { holdingsTotal: 5000, visits: 100 },
        expectedRevision: 0,
      }),
      201,
    );
  });

  const expectNothingWritten = async () => {
    const view = await getView(token, LIB);
    expect(view.revision).toBe(1);
    expect(view.values).toEqual({ holdingsTotal: 5000, visits: 100 });
    expect(await storedRevisionCount(LIB)).toBe(1);
  };

  const saveValues = (values: unknown) =>
    sendJson(submissionPath(LIB), 'PUT', token, { values, expectedRevision: 1 });

  it('lists every field of the wrong type', async () => {
    const problem = await expectProblem(
      await saveValues({
        holdingsTotal: '1000',
        dedicatedBookBudget: 'yes',
        problemCategories: 'space',
        assessmentGrade: 'grade9',
        visits: 200,
      }),
      400,
    );
    expect(pathsOf(problem).sort()).toEqual([
      'values.assessmentGrade',
      'values.dedicatedBookBudget',
      'values.holdingsTotal',
      'values.problemCategories',
    ]);
    await expectNothingWritten();
  });

  it('names unknown keys', async () => {
    const problem = await expectProblem(
      await saveValues({ holdingsTotal: 10, noSuchField: 1, other: 'x' }),
      400,
    );
    expect(problem.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'values.noSuchField', code: 'unknown_field' }),
        expect.objectContaining({ path: 'values.other', code: 'unknown_field' }),
      ]),
    );
    expect(problem.errors).toHaveLength(2);
    await expectNothingWritten();
  });

  it('lists values out of bounds or with too many decimals', async () => {
    const problem = await expectProblem(
      await saveValues({
        servicePopulation: 999,
        weeklyOpenHours: 169,
        loans: -1,
        floorArea: 12.34,
        holdingsTotal: 1.5,
      }),
      400,
    );
    expect(pathsOf(problem).sort()).toEqual([
      'values.floorArea',
      'values.holdingsTotal',
      'values.loans',
      'values.servicePopulation',
      'values.weeklyOpenHours',
    ]);
    const population = problem.errors?.find((error) => error.path === 'values.servicePopulation');
    expect(population?.message.zh).toContain('1000');
    await expectNothingWritten();
  });

  it('refuses a number written with 万 in holdingsTotal', async () => {
    const problem = await expectProblem(await saveValues({ holdingsTotal: '12.9万' }), 400);
    expect(pathsOf(problem)).toEqual(['values.holdingsTotal']);
    await expectNothingWritten();
  });

  it('refuses a body that is not the save command', async () => {
    for (const body of [
      { values: [], expectedRevision: 1 },
      { values: {}, expectedRevision: -1 },
      { values: {} },
      { values: {}, expectedRevision: 1, status: 'accepted' },
    ]) {
      const problem = await expectProblem(
        await sendJson(submissionPath(LIB), 'PUT', token, body),
        400,
      );
      expect(pathsOf(problem).length).toBeGreaterThan(0);
    }
    await expectNothingWritten();
  });

  it('refuses malformed JSON with 400', async () => {
    const problem = await expectProblem(
      await api(submissionPath(LIB), {
        method: 'PUT',
        token,
        headers: { 'content-type': 'application/json' },
        body: '{"values": {"holdingsTotal": 1}, "expectedRevision": 1',
      }),
      400,
    );
    expect(problem.errors).toContainEqual(expect.objectContaining({ code: 'invalid_json' }));
    await expectNothingWritten();
  });

  it('refuses a body that is not JSON with 415', async () => {
    await expectProblem(
      await api(submissionPath(LIB), {
        method: 'PUT',
        token,
        headers: { 'content-type': 'text/plain' },
        body: JSON.stringify({ values: { holdingsTotal: 1 }, expectedRevision: 1 }),
      }),
      415,
    );
    await expectNothingWritten();
  });

  it('refuses a body over 256 KB with 413', async () => {
    const body = JSON.stringify({
      values: { problemDetails: '馆'.repeat(90_000) },
      expectedRevision: 1,
    });
    expect(Buffer.byteLength(body)).toBeGreaterThan(256 * 1024);
    await expectProblem(
      await api(submissionPath(LIB), {
        method: 'PUT',
        token,
        headers: { 'content-type': 'application/json' },
        body,
      }),
      413,
    );
    await expectNothingWritten();
  });
});

describe('the lifecycle: validation, submission and review', () => {
  let province: string;
  let admin: string;
  beforeAll(async () => {
    [province, admin] = await Promise.all([tokenFor('province'), tokenFor('admin')]);
  });

  /**
   * The revision of the first submission, whose time on-time is judged by: kept through every
   * later step.
   */
  const FIRST_SUBMISSION = 4;
  const EXPLANATION = '部分讲座同时以线上方式举办，重复计入了线上活动。';
  /** What the province sends back with the report in step 5. */
  const RETURN = {
    message: '请核对活动场次。',
    fieldComments: { lectures: '讲座场次与总场次不符。', holdingsTotal: '请附清点记录。' },
  };
  /** Why an administrator reopens the accepted report in step 9. */
  const REOPEN_MESSAGE = '经费数字需更正。';

  /**
   * One library's report in 2026 and the requests of its lifecycle. Each test has a library of its
   * own, nowhere else used, and takes the steps before the one it is about with `upTo`, so that it
   * passes alone and in any order.
   */
  const lifecycleOf = async (libraryId: string) => {
    const library = await tokenFor('library', libraryId);
    const path = submissionPath(libraryId);
    const save = (values: Record<string, unknown>, expectedRevision: number) =>
      sendJson(path, 'PUT', library, { values, expectedRevision });
    const submit = (expectedRevision: number, explanations?: Record<string, string>) =>
      sendJson(`${path}/submit`, 'POST', library, {
        expectedRevision,
        ...(explanations ? { explanations } : {}),
      });
    /** Step n makes revision n out of revision n - 1. */
    const steps: Record<number, () => Promise<Response>> = {
      1: () => save({ holdingsTotal: 129000, servicePopulation: 165000 }, 0),
      2: () => save({ ...fullReport(), staffOther: 2 }, 1),
      3: () => save({ ...fullReport(), lectures: 40 }, 2),
      4: () => submit(3, { eventKindsWithinTotal: EXPLANATION }),
      5: () => sendJson(`${path}/return`, 'POST', province, RETURN),
      6: () => save({ ...fullReport(), lectures: 10 }, 5),
      7: () => submit(6),
      8: () => api(`${path}/accept`, { method: 'POST', token: province }),
      9: () => sendJson(`${path}/reopen`, 'POST', admin, { message: REOPEN_MESSAGE }),
      10: () => save({ ...fullReport() }, 9),
    };
    const step = (revision: number) => {
      const send = steps[revision];
      if (!send) throw new Error(`no step makes revision ${revision}`);
      return send();
    };
    /** Takes steps 1 to `revision`, each checked; what each answered, by revision. */
    const upTo = async (revision: number) => {
      const views: Record<number, View> = {};
      for (let next = 1; next <= revision; next += 1) {
        views[next] = await answerJson<View>(await step(next), next === 1 ? 201 : 200);
      }
      return views;
    };
    /** Takes steps 1 to `revision` (at least the first submission): when it was submitted. */
    const firstSubmittedAtUpTo = async (revision: number) => {
      const submittedAt = (await upTo(revision))[FIRST_SUBMISSION]?.submittedAt;
      expect(submittedAt).toEqual(expect.any(String));
      return submittedAt;
    };
    return { libraryId, library, path, save, submit, step, upTo, firstSubmittedAtUpTo };
  };

  it('a partial draft saves, and GET shows the validation of what is there', async () => {
    const report = await lifecycleOf('140403');
    await answerJson(await report.step(1), 201);
    const view = await getView(report.library, report.libraryId);
    expect(view.validation.fieldErrors).toEqual([]);
    expect(view.validation.ruleErrors).toEqual([]);
    expect(view.validation.skippedRules).toEqual(expect.arrayContaining(['staffSplit']));
    expect(view.derived.holdingsPerCapita).toBeCloseTo(129000 / 165000, 2);
    expect(view.derived).not.toHaveProperty('visitsPerCapita');
  });

  it('submitting an incomplete report answers 422 listing every missing required field', async () => {
    const report = await lifecycleOf('140404');
    await report.upTo(1);
    const problem = await expectProblem(await report.submit(1), 422);
    expect(
      pathsOf(problem)
        .filter((p) => p.startsWith('values.'))
        .sort(),
    ).toEqual(
      [
        'floorArea',
        'assessmentGrade',
        'newAcquisitions',
        'visits',
        'loans',
        'eventsTotal',
        'staffTotal',
        'staffEstablished',
        'fundingTotal',
        'bookFunds',
        'dedicatedBookBudget',
      ]
        .map((key) => `values.${key}`)
        .sort(),
    );
    expect(problem.errors?.find((e) => e.path === 'values.visits')?.message.zh).toBe(
      '此项为必填项',
    );
    expect(await storedRevisionCount(report.libraryId)).toBe(1);
  });

  it('GET shows a violated error rule and the derived values of a draft', async () => {
    const report = await lifecycleOf('140405');
    await report.upTo(1);
    const view = await answerJson<View>(await report.step(2), 200);
    expect(view.revision).toBe(2);
    expect(ruleIds(view.validation.ruleErrors)).toEqual(['staffSplit']);
    expect(view.validation.ruleErrors[0]).toMatchObject({
      severity: 'error',
      message: { zh: expect.stringContaining('在编人员'), en: expect.any(String) },
    });
    const fetched = await getView(report.library, report.libraryId);
    expect(fetched.validation).toEqual(view.validation);
    expect(fetched.derived.holdingsPerCapita).toBeCloseTo(129000 / 165000, 2);
    expect(fetched.derived.staffPer10k).toBeCloseTo((6 / 165000) * 10000, 1);
    expect(fetched.derived.visitsPerCapita).toBeCloseTo(80000 / 165000, 2);
  });

  it('submitting with a violated error rule answers 422 at rules.<ruleId>', async () => {
    const report = await lifecycleOf('140406');
    await report.upTo(2);
    const problem = await expectProblem(await report.submit(2), 422);
    expect(pathsOf(problem)).toEqual(['rules.staffSplit']);
    expect((await getView(report.library, report.libraryId)).status).toBe('draft');
  });

  it('a warning needs an explanation; explanations of unknown rules are refused', async () => {
    const report = await lifecycleOf('140423');
    await report.upTo(2);
    const view = await answerJson<View>(await report.step(3), 200);
    expect(view.revision).toBe(3);
    expect(view.validation.ruleErrors).toEqual([]);
    expect(ruleIds(view.validation.warnings)).toEqual(['eventKindsWithinTotal']);

    const missing = await expectProblem(await report.submit(3), 422);
    expect(pathsOf(missing)).toEqual(['explanations.eventKindsWithinTotal']);
    expect(missing.errors?.[0]?.code).toBe('explanation_required');

    const blank = await expectProblem(
      await report.submit(3, { eventKindsWithinTotal: '   ' }),
      400,
    );
    expect(pathsOf(blank)).toEqual(['explanations.eventKindsWithinTotal']);

    const unknown = await expectProblem(
      await report.submit(3, { eventKindsWithinTotal: '讲座含线上', noSuchRule: '说明' }),
      400,
    );
    expect(pathsOf(unknown)).toEqual(['explanations.noSuchRule']);
    expect(unknown.errors?.[0]?.code).toBe('unknown_rule');

    expect(await storedRevisionCount(report.libraryId)).toBe(3);
    expect((await getView(report.library, report.libraryId)).status).toBe('draft');
  });

  it('an explanation saved with the draft counts at submission; blank or unknown ones are refused at save', async () => {
    const report = await lifecycleOf('140430');
    await report.upTo(3);
    const saveWith = (explanations: Record<string, string>, expectedRevision: number) =>
      sendJson(report.path, 'PUT', report.library, {
        values: { ...fullReport(), lectures: 40 },
        expectedRevision,
        explanations,
      });

    const blank = await expectProblem(await saveWith({ eventKindsWithinTotal: '   ' }, 3), 400);
    expect(pathsOf(blank)).toEqual(['explanations.eventKindsWithinTotal']);
    const unknown = await expectProblem(await saveWith({ noSuchRule: '说明' }, 3), 400);
    expect(pathsOf(unknown)).toEqual(['explanations.noSuchRule']);
    expect(await storedRevisionCount(report.libraryId)).toBe(3);

    const saved = await answerJson<View>(
      await saveWith({ eventKindsWithinTotal: EXPLANATION }, 3),
      200,
    );
    expect(saved).toMatchObject({
      revision: 4,
      explanations: { eventKindsWithinTotal: EXPLANATION },
    });
    // Submitted from elsewhere, without the explanation in the request.
    const submitted = await answerJson<View>(await report.submit(4), 200);
    expect(submitted).toMatchObject({
      status: 'submitted',
      explanations: { eventKindsWithinTotal: EXPLANATION },
    });
  });

  it('submits with the explanation, which is stored on the head and the revision', async () => {
    const report = await lifecycleOf('140425');
    await report.upTo(3);
    const view = await answerJson<View>(await report.step(4), 200);
    expect(view).toMatchObject({
      status: 'submitted',
      revision: 4,
      explanations: { eventKindsWithinTotal: EXPLANATION },
      submittedAt: expect.any(String),
    });
    expect(view.firstSubmittedAt).toBe(view.submittedAt);
    expect((await getView(report.library, report.libraryId)).explanations).toEqual({
      eventKindsWithinTotal: EXPLANATION,
    });
    const revision = await answerJson<RevisionFull>(
      await api(`${report.path}/revisions/4`, { token: report.library }),
      200,
    );
    expect(revision).toMatchObject({
      revision: 4,
      action: 'submit',
      status: 'submitted',
      explanations: { eventKindsWithinTotal: EXPLANATION },
      values: { lectures: 40 },
    });
  });

  describe('once submitted', () => {
    let report: Awaited<ReturnType<typeof lifecycleOf>>;
    beforeAll(async () => {
      report = await lifecycleOf('140426');
      await report.upTo(4);
    });

    it('the library can no longer save or submit a submitted report (409)', async () => {
      await expectProblem(await report.save({ ...fullReport() }, 4), 409);
      await expectProblem(await report.submit(4, { eventKindsWithinTotal: '再次提交' }), 409);
      expect(await storedRevisionCount(report.libraryId)).toBe(4);
    });

    it('the province cannot comment on a field the form does not have (400)', async () => {
      const problem = await expectProblem(
        await sendJson(`${report.path}/return`, 'POST', province, {
          message: '请核对',
          fieldComments: { noSuchField: '没有这个字段' },
        }),
        400,
      );
      expect(pathsOf(problem)).toEqual(['fieldComments.noSuchField']);
      expect((await getView(report.library, report.libraryId)).status).toBe('submitted');
    });
  });

  it('the province returns the report with a message and field comments', async () => {
    const report = await lifecycleOf('140427');
    await report.upTo(4);
    const view = await answerJson<View>(await report.step(5), 200);
    expect(view).toMatchObject({ status: 'returned', revision: 5 });

    const seen = await getView(report.library, report.libraryId);
    expect(seen.status).toBe('returned');
    expect(seen.review).toMatchObject({
      ...RETURN,
      by: { role: 'province' },
      at: expect.any(String),
    });
  });

  it('the library edits the returned report and resubmits', async () => {
    const report = await lifecycleOf('140428');
    const firstSubmittedAt = await report.firstSubmittedAtUpTo(5);
    const edited = await answerJson<View>(await report.step(6), 200);
    expect(edited).toMatchObject({ status: 'returned', revision: 6, firstSubmittedAt });
    expect(edited.review?.message).toBe(RETURN.message);
    expect(edited.validation.warnings).toEqual([]);

    const submitted = await answerJson<View>(await report.step(7), 200);
    expect(submitted).toMatchObject({ status: 'submitted', revision: 7, explanations: {} });
    expect(submitted.review).toBeUndefined();
    // A new submission time, but the first one stays: the province's return made it later.
    expect(submitted.submittedAt).not.toBe(firstSubmittedAt);
    expect(submitted.firstSubmittedAt).toBe(firstSubmittedAt);
  });

  it('the province accepts (a plain POST, no body); the library can then neither save nor submit', async () => {
    const report = await lifecycleOf('140214');
    const firstSubmittedAt = await report.firstSubmittedAtUpTo(7);
    const accepted = await answerJson<View>(await report.step(8), 200);
    expect(accepted).toMatchObject({
      status: 'accepted',
      revision: 8,
      acceptedAt: expect.any(String),
      firstSubmittedAt,
    });
    await expectProblem(await report.save({ ...fullReport() }, 8), 409);
    await expectProblem(await report.submit(8), 409);
    await expectProblem(await sendJson(`${report.path}/accept`, 'POST', province, {}), 409);
    expect(await storedRevisionCount(report.libraryId)).toBe(8);
  });

  it('only an administrator reopens an accepted report', async () => {
    const report = await lifecycleOf('140215');
    const firstSubmittedAt = await report.firstSubmittedAtUpTo(8);
    await expectProblem(
      await sendJson(`${report.path}/reopen`, 'POST', province, { message: '重新打开' }),
      403,
    );
    expect((await getView(report.library, report.libraryId)).status).toBe('accepted');

    const reopened = await answerJson<View>(await report.step(9), 200);
    expect(reopened).toMatchObject({
      status: 'returned',
      revision: 9,
      review: { message: REOPEN_MESSAGE, by: { role: 'admin' } },
    });
    expect(reopened.acceptedAt).toBeUndefined();
    expect(reopened.firstSubmittedAt).toBe(firstSubmittedAt);
    // …and the library may edit again.
    expect(await answerJson<View>(await report.step(10), 200)).toMatchObject({
      status: 'returned',
      revision: 10,
    });
    // Read back from the table, where it is stored on the head.
    expect((await getView(province, report.libraryId)).firstSubmittedAt).toBe(firstSubmittedAt);
  });

  it('the history records every step with its actor', async () => {
    const report = await lifecycleOf('140225');
    await report.upTo(10);
    const page = await answerJson<Page<RevisionSummary>>(
      await api(`${report.path}/revisions`, { token: province }),
      200,
    );
    expect(page.items.map((item) => [item.revision, item.action, item.actor.role])).toEqual([
      [10, 'save', 'library'],
      [9, 'reopen', 'admin'],
      [8, 'accept', 'province'],
      [7, 'submit', 'library'],
      [6, 'save', 'library'],
      [5, 'return', 'province'],
      [4, 'submit', 'library'],
      [3, 'save', 'library'],
      [2, 'save', 'library'],
      [1, 'save', 'library'],
    ]);
  });
});

describe('year-over-year rules', () => {
  const LIB = '140108';
  // Periods no other test file uses: their windows are set here.
  const LAST_YEAR = '2030';
  const THIS_YEAR = '2031';
  let library: string;
  let province: string;
  let admin: string;
  beforeAll(async () => {
    [library, province, admin] = await Promise.all([
      tokenFor('library', LIB),
      tokenFor('province'),
      tokenFor('admin'),
    ]);
  });

  /** As an administrator, opens a period from yesterday on: what was sent, what was answered. */
  const openNow = async (period: string) => {
    const window = { opensAt: inMs(-DAY), dueAt: inMs(30 * DAY), locksAt: inMs(60 * DAY) };
    const view = await answerJson<PeriodView>(
      await sendJson(periodPath(period), 'PUT', admin, window),
      200,
    );
    return { window, view };
  };

  it('an administrator opens two future periods now', async () => {
    for (const period of [LAST_YEAR, THIS_YEAR]) {
      const { window, view } = await openNow(period);
      expect(view).toMatchObject({ ...window, source: 'custom', period });
    }
  });

  it('compares with the accepted report of the previous period', async () => {
    for (const period of [LAST_YEAR, THIS_YEAR]) await openNow(period);
    const report = fullReport();
    await answerJson(
      await sendJson(submissionPath(LIB, LAST_YEAR), 'PUT', library, {
        values: report,
        expectedRevision: 0,
      }),
      201,
    );
    await answerJson(
      await sendJson(`${submissionPath(LIB, LAST_YEAR)}/submit`, 'POST', library, {
        expectedRevision: 1,
      }),
      200,
    );
    await answerJson(
      await sendJson(`${submissionPath(LIB, LAST_YEAR)}/accept`, 'POST', province, {}),
      200,
    );

    const grown = { ...report, holdingsTotal: 129000 * 1.5 };
    const saved = await answerJson<View>(
      await sendJson(submissionPath(LIB, THIS_YEAR), 'PUT', library, {
        values: grown,
        expectedRevision: 0,
      }),
      201,
    );
    expect(ruleIds(saved.validation.warnings)).toEqual(['holdingsJump']);

    const view = await getView(library, LIB, THIS_YEAR);
    expect(ruleIds(view.validation.warnings)).toEqual(['holdingsJump']);
    expect(view.validation.warnings[0]?.message.zh).toContain('20%');
    expect(view.previous).toEqual({ period: LAST_YEAR, values: report });

    const problem = await expectProblem(
      await sendJson(`${submissionPath(LIB, THIS_YEAR)}/submit`, 'POST', library, {
        expectedRevision: 1,
      }),
      422,
    );
    expect(pathsOf(problem)).toEqual(['explanations.holdingsJump']);
  });
});

describe('revision history', () => {
  const LIB = '140109';
  const path = submissionPath(LIB);
  let token: string;
  beforeAll(async () => {
    token = await tokenFor('library', LIB);
    await saveDrafts(LIB, token, [1001, 1002, 1003, 1004, 1005]);
  });

  it('lists revisions newest first, with who and when, without values', async () => {
    const page = await answerJson<Page<RevisionSummary>>(
      await api(`${path}/revisions`, { token }),
      200,
    );
    expect(page.items.map((item) => item.revision)).toEqual([5, 4, 3, 2, 1]);
    expect(page.nextCursor).toBeUndefined();
    for (const item of page.items) {
      expect(item).not.toHaveProperty('values');
      expect(item).toMatchObject({ action: 'save', status: 'draft' });
      expect(item.actor).toEqual({ subject: expect.any(String), role: 'library', libraryId: LIB });
      expect(new Date(item.at).toISOString()).toBe(item.at);
    }
    const times = page.items.map((item) => item.at);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it('pages with limit and nextCursor until exhausted, contiguously', async () => {
    const seen: number[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const query = new URLSearchParams({ limit: '2', ...(cursor ? { cursor } : {}) });
      const page = await answerJson<Page<RevisionSummary>>(
        await api(`${path}/revisions?${query}`, { token }),
        200,
      );
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((item) => item.revision));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor && pages < 10);
    expect(cursor).toBeUndefined();
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(seen).toEqual([5, 4, 3, 2, 1]);
  });

  it('refuses a cursor that points into another partition, or garbage', async () => {
    const cursorOf = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');
    const own = `LIB#${LIB}`;
    for (const cursor of [
      cursorOf({ PK: 'LIB#140105', SK: `REV#${FORM}#2026#00000001` }),
      'not-a-cursor',
      cursorOf([1, 2]),
      // The right partition, but a key this query could never have issued.
      cursorOf({ PK: own, SK: `HEAD#${FORM}#2026` }),
      cursorOf({ PK: own, SK: `REV#other-form#2026#00000001` }),
      cursorOf({ PK: own }),
      cursorOf({ PK: own, SK: `REV#${FORM}#2026#00000002`, extra: 'x' }),
    ]) {
      const problem = await expectProblem(
        await api(`${path}/revisions?limit=2&cursor=${encodeURIComponent(cursor)}`, { token }),
        400,
      );
      expect(pathsOf(problem)).toEqual(['cursor']);
    }
    for (const limit of ['0', '101', 'abc']) {
      const problem = await expectProblem(
        await api(`${path}/revisions?limit=${limit}`, { token }),
        400,
      );
      expect(pathsOf(problem)).toEqual(['limit']);
    }
  });

  it('returns one revision in full', async () => {
    const first = await answerJson<RevisionFull>(await api(`${path}/revisions/1`, { token }), 200);
    expect(first).toMatchObject({
      libraryId: LIB,
      revision: 1,
      action: 'save',
      values: { holdingsTotal: 1001 },
      actor: { role: 'library', libraryId: LIB },
    });
    const last = await answerJson<RevisionFull>(await api(`${path}/revisions/5`, { token }), 200);
    expect(last.values).toEqual({ holdingsTotal: 1005 });
  });

  it('answers 404 for a revision that does not exist or is not a number', async () => {
    await expectProblem(await api(`${path}/revisions/999`, { token }), 404);
    await expectProblem(await api(`${path}/revisions/abc`, { token }), 404);
    await expectProblem(await api(`${path}/revisions/0`, { token }), 404);
  });

  it('answers 404 for the history of a report that does not exist', async () => {
    await expectProblem(await api(`${submissionPath(LIB, '2027')}/revisions`, { token }), 404);
  });
});

describe('the province list', () => {
  const LIBS = ['140122', '140123'];
  let province: string;
  beforeAll(async () => {
    province = await tokenFor('province');
    for (const libraryId of LIBS) {
      await answerJson(
        await sendJson(submissionPath(libraryId), 'PUT', await tokenFor('library', libraryId), {
          values: { holdingsTotal: 4242 },
          expectedRevision: 0,
        }),
        201,
      );
    }
  });

  const listPath = (query: Record<string, string>) =>
    `/api/submissions?${new URLSearchParams(query)}`;

  it('lists the heads of a form and period without their values, page by page', async () => {
    const seen: Record<string, unknown>[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await answerJson<Page<Record<string, unknown>>>(
        await api(
          listPath({ formId: FORM, period: '2026', limit: '2', ...(cursor ? { cursor } : {}) }),
          { token: province },
        ),
        200,
      );
      expect(page.items.length).toBeLessThanOrEqual(2);
      if (pages === 0) expect(page.nextCursor).toEqual(expect.any(String));
      seen.push(...page.items);
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor && pages < 200);
    expect(cursor).toBeUndefined();
    const ids = seen.map((item) => item.libraryId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(LIBS));
    for (const item of seen) {
      expect(item).not.toHaveProperty('values');
      expect(item).toMatchObject({ formId: FORM, period: '2026', status: expect.any(String) });
    }
    expect(seen.find((item) => item.libraryId === LIBS[0])).toMatchObject({
      status: 'draft',
      revision: 1,
    });
  });

  it('is open to administrators too', async () => {
    const page = await answerJson<Page<unknown>>(
      await api(listPath({ formId: FORM, period: '2026' }), { token: await tokenFor('admin') }),
      200,
    );
    expect(page.items.length).toBeGreaterThanOrEqual(LIBS.length);
  });

  it('needs formId and period (400 naming them)', async () => {
    const noForm = await expectProblem(
      await api(listPath({ period: '2026' }), { token: province }),
      400,
    );
    expect(pathsOf(noForm)).toEqual(['formId']);
    const nothing = await expectProblem(await api('/api/submissions', { token: province }), 400);
    expect(pathsOf(nothing).sort()).toEqual(['formId', 'period']);
    // Given but malformed is told apart from missing.
    const malformed = await expectProblem(
      await api(listPath({ formId: FORM, period: '2025/1' }), { token: province }),
      400,
    );
    expect(malformed.errors).toEqual([
      expect.objectContaining({ path: 'period', code: 'invalid_format' }),
    ]);
    await expectProblem(
      await api(listPath({ formId: 'no-such-form', period: '2026' }), { token: province }),
      404,
    );
    const partition = `FORM#${FORM}#2026`;
    for (const cursor of [
      'bm9wZQ',
      Buffer.from(JSON.stringify({ GSI1PK: `FORM#${FORM}#2025` })).toString('base64url'),
      Buffer.from(JSON.stringify({ GSI1PK: partition })).toString('base64url'),
      Buffer.from(JSON.stringify({ GSI1PK: partition, GSI1SK: 'LIB#140122' })).toString(
        'base64url',
      ),
    ]) {
      const problem = await expectProblem(
        await api(listPath({ formId: FORM, period: '2026', cursor }), { token: province }),
        400,
      );
      expect(pathsOf(problem)).toEqual(['cursor']);
    }
  });

  it('is forbidden to libraries (403)', async () => {
    await expectProblem(
      await api(listPath({ formId: FORM, period: '2026' }), {
        token: await tokenFor('library', LIBS[0]),
      }),
      403,
    );
  });
});

describe('period windows and lock exceptions', () => {
  const LIB = '140110';
  const OTHER = '140121';
  // Periods no other test file uses. Lock exceptions are granted in EXCEPTED only, so that
  // nothing lets a library write to LOCKED whichever test runs first.
  const LOCKED = '2032';
  const EXCEPTED = '2040';
  let library: string;
  let other: string;
  let province: string;
  let admin: string;
  beforeAll(async () => {
    [library, other, province, admin] = await Promise.all([
      tokenFor('library', LIB),
      tokenFor('library', OTHER),
      tokenFor('province'),
      tokenFor('admin'),
    ]);
  });

  /** As an administrator, sets a window that locked a day ago: what was sent, what was answered. */
  const lock = async (period: string) => {
    const window = { opensAt: inMs(-30 * DAY), dueAt: inMs(-10 * DAY), locksAt: inMs(-DAY) };
    const view = await answerJson<PeriodView>(
      await sendJson(periodPath(period), 'PUT', admin, window),
      200,
    );
    return { window, view };
  };

  it('shows the default window of a period no administrator set (2090) to every role', async () => {
    for (const token of [library, province, admin]) {
      const view = await answerJson<PeriodView>(await api(periodPath('2090'), { token }), 200);
      expect(view).toEqual({
        formId: FORM,
        period: '2090',
        opensAt: '2090-10-31T16:00:00.000Z',
        dueAt: '2091-01-31T15:59:59.000Z',
        locksAt: '2091-03-31T15:59:59.000Z',
        source: 'default',
        exceptions: [],
      });
    }
  });

  it('keeps libraries out of a period after its default lock (2025) with 423', async () => {
    const problem = await expectProblem(
      await sendJson(submissionPath(LIB, '2025'), 'PUT', library, {
        values: {},
        expectedRevision: 0,
      }),
      423,
    );
    expect(problem.message.zh).toContain('锁定');
    expect(problem.message.en).toMatch(/locked at 2026-03-31T15:59:59/);
    expect(await storedRevisionCount(LIB, '2025')).toBe(0);
  });

  it('an administrator locks a period; libraries then get 423 with the reason', async () => {
    const { window, view } = await lock(LOCKED);
    expect(view).toMatchObject({ ...window, source: 'custom' });
    expect(
      (await answerJson<PeriodView>(await api(periodPath(LOCKED), { token: library }), 200)).source,
    ).toBe('custom');

    for (const [libraryId, token] of [
      [LIB, library],
      [OTHER, other],
    ] as const) {
      const problem = await expectProblem(
        await sendJson(submissionPath(libraryId, LOCKED), 'PUT', token, {
          values: { holdingsTotal: 1 },
          expectedRevision: 0,
        }),
        423,
      );
      expect(problem.message.zh).toMatch(/已于北京时间 .+ 锁定/);
      expect(problem.message.en).toContain(new Date(window.locksAt).toISOString());
    }
  });

  it('an exception lets one library write after the lock, and only that one', async () => {
    await lock(EXCEPTED);
    const until = inMs(DAY);
    const exception = await answerJson<{ libraryId: string; until: string; grantedBy: Actor }>(
      await sendJson(`${periodPath(EXCEPTED)}/exceptions`, 'POST', admin, {
        libraryId: LIB,
        until,
      }),
      201,
    );
    expect(exception).toMatchObject({ libraryId: LIB, until, grantedBy: { role: 'admin' } });

    await answerJson(
      await sendJson(submissionPath(LIB, EXCEPTED), 'PUT', library, {
        values: { holdingsTotal: 1 },
        expectedRevision: 0,
      }),
      201,
    );
    await expectProblem(
      await sendJson(submissionPath(OTHER, EXCEPTED), 'PUT', other, {
        values: { holdingsTotal: 1 },
        expectedRevision: 0,
      }),
      423,
    );
    expect(await storedRevisionCount(OTHER, EXCEPTED)).toBe(0);

    // Each library sees only its own exception; the province sees them all.
    const own = await answerJson<PeriodView>(
      await api(periodPath(EXCEPTED), { token: library }),
      200,
    );
    expect(own.exceptions.map((e) => e.libraryId)).toEqual([LIB]);
    const others = await answerJson<PeriodView>(
      await api(periodPath(EXCEPTED), { token: other }),
      200,
    );
    expect(others.exceptions).toEqual([]);
    const all = await answerJson<PeriodView>(
      await api(periodPath(EXCEPTED), { token: province }),
      200,
    );
    expect(all.exceptions.map((e) => e.libraryId)).toEqual([LIB]);
  });

  it('refuses a window whose dueAt is before opensAt, naming the field', async () => {
    await lock(LOCKED);
    const problem = await expectProblem(
      await sendJson(periodPath(LOCKED), 'PUT', admin, {
        opensAt: inMs(10 * DAY),
        dueAt: inMs(DAY),
        locksAt: inMs(20 * DAY),
      }),
      400,
    );
    expect(pathsOf(problem)).toEqual(['dueAt']);
    const missing = await expectProblem(
      await sendJson(periodPath(LOCKED), 'PUT', admin, { opensAt: 'soon', dueAt: inMs(DAY) }),
      400,
    );
    expect(pathsOf(missing).sort()).toEqual(['locksAt', 'opensAt']);
    // The lock set first still holds.
    expect(
      (await answerJson<PeriodView>(await api(periodPath(LOCKED), { token: admin }), 200)).locksAt <
        new Date().toISOString(),
    ).toBe(true);
  });

  it('refuses an exception for a malformed library id or time', async () => {
    const problem = await expectProblem(
      await sendJson(`${periodPath(LOCKED)}/exceptions`, 'POST', admin, {
        libraryId: '14',
        until: 'tomorrow',
      }),
      400,
    );
    expect(pathsOf(problem).sort()).toEqual(['libraryId', 'until']);
    // An exception that would already be over when granted never applies: refused.
    const over = await expectProblem(
      await sendJson(`${periodPath(LOCKED)}/exceptions`, 'POST', admin, {
        libraryId: LIB,
        until: inMs(-DAY),
      }),
      400,
    );
    expect(over.errors?.map((error) => [error.path, error.code])).toEqual([
      ['until', 'until_too_early'],
    ]);
    // A well-formed id that no registry library has would let nobody write: refused.
    const unknown = await expectProblem(
      await sendJson(`${periodPath(LOCKED)}/exceptions`, 'POST', admin, {
        libraryId: '140499',
        until: inMs(DAY),
      }),
      400,
    );
    expect(unknown.errors?.map((error) => [error.path, error.code])).toEqual([
      ['libraryId', 'unknown_library'],
    ]);
  });

  it('only administrators manage windows (province → 403)', async () => {
    const before = await answerJson<PeriodView>(
      await api(periodPath(LOCKED), { token: admin }),
      200,
    );
    const window = { opensAt: inMs(-DAY), dueAt: inMs(DAY), locksAt: inMs(2 * DAY) };
    await expectProblem(await sendJson(periodPath(LOCKED), 'PUT', province, window), 403);
    await expectProblem(
      await sendJson(`${periodPath(LOCKED)}/exceptions`, 'POST', province, {
        libraryId: OTHER,
        until: inMs(DAY),
      }),
      403,
    );
    await expectProblem(await sendJson(periodPath(LOCKED), 'PUT', library, window), 403);
    // Refused for the role before the body is looked at.
    await expectProblem(
      await sendJson(`${periodPath(LOCKED)}/exceptions`, 'POST', library, { libraryId: '14' }),
      403,
    );
    await expectProblem(await sendJson(periodPath(LOCKED), 'PUT', library, { opensAt: 1 }), 403);
    // Nothing changed: neither the window nor the exceptions.
    expect(
      await answerJson<PeriodView>(await api(periodPath(LOCKED), { token: admin }), 200),
    ).toEqual(before);
  });

  it('answers 400 for a malformed period', async () => {
    for (const response of [
      await api(periodPath('20x6'), { token: admin }),
      await api(submissionPath(LIB, '20x6'), { token: library }),
      await sendJson(periodPath('20x6'), 'PUT', admin, {
        opensAt: inMs(-DAY),
        dueAt: inMs(DAY),
        locksAt: inMs(2 * DAY),
      }),
    ]) {
      const problem = await expectProblem(response, 400);
      expect(pathsOf(problem)).toEqual(['period']);
    }
  });
});
