/**
 * Optimistic concurrency through HTTP: racing saves on one report produce exactly one winner and
 * contiguous revisions; a hundred libraries saving and submitting at once never lose an
 * acknowledged write. Libraries 140212 and 140181 in period 2026, and the first hundred
 * libraries of the registry in period 2047 (opened here by the administrator): used by no other
 * test file. Each describe records its figures (test/integration/reliability-figures.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { wuxiangReport2025 } from '../../domain/forms/fixtures.js';
import { inParallel } from '../../local/tools.js';
import { recordFigures } from './reliability-figures.js';
import { answerJson, api, tokenFor } from './support.js';

const FORM = 'county-annual-report';
const PERIOD = '2026';

interface View {
  libraryId: string;
  status: string;
  revision: number;
  values: Record<string, unknown>;
  submittedAt?: string;
}

interface Page<Item> {
  items: Item[];
  nextCursor?: string;
}

interface RevisionSummary {
  revision: number;
  action: string;
  status: string;
}

/** Values as canonical JSON (keys sorted): DynamoDB does not keep the order of a map's keys. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => a.localeCompare(b)))
      : inner,
  );
const sameValues = (a: unknown, b: unknown) => canonical(a) === canonical(b);

/** Counts the requests a suite makes and the 5xx answers among them. */
class Tally {
  requests = 0;
  serverErrors = 0;
  lostWrites = 0;

  async send(path: string, init: Parameters<typeof api>[1] = {}): Promise<Response> {
    this.requests += 1;
    const response = await api(path, init);
    if (response.status >= 500) this.serverErrors += 1;
    return response;
  }

  record(suite: string) {
    recordFigures({
      suite,
      requests: this.requests,
      unexpectedServerErrors: this.serverErrors,
      lostWrites: this.lostWrites,
      // No leaks figure: every caller here reads only its own reports (the authorization
      // matrix and the fuzzing look for leaks).
    });
  }
}

const submissionPath = (libraryId: string, period = PERIOD) =>
  `/api/libraries/${libraryId}/submissions/${FORM}/${period}`;

const sendJson = (tally: Tally, path: string, method: string, token: string, body: unknown) =>
  tally.send(path, {
    method,
    token,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

const save = (
  tally: Tally,
  token: string,
  libraryId: string,
  values: unknown,
  expectedRevision: number,
  period = PERIOD,
) => sendJson(tally, submissionPath(libraryId, period), 'PUT', token, { values, expectedRevision });

/** Every revision of a report, newest first, following the cursor to the end. */
const allRevisions = async (tally: Tally, token: string, libraryId: string, period = PERIOD) => {
  const revisions: RevisionSummary[] = [];
  let cursor: string | undefined;
  do {
    const query = new URLSearchParams({ limit: '100', ...(cursor ? { cursor } : {}) });
    const page = await answerJson<Page<RevisionSummary>>(
      await tally.send(`${submissionPath(libraryId, period)}/revisions?${query}`, { token }),
      200,
    );
    revisions.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return revisions;
};

describe('fifty saves racing on one revision', () => {
  const LIB = '140212';
  const RACERS = 50;
  const tally = new Tally();
  let token: string;
  beforeAll(async () => {
    token = await tokenFor('library', LIB);
    await answerJson(await save(tally, token, LIB, { holdingsTotal: 1 }, 0), 201);
  });
  afterAll(() => tally.record('concurrency: 50 saves on one revision'));

  it('lets exactly one win; the others get 409 and change nothing', async () => {
    const attempts = Array.from({ length: RACERS }, (_, index) => ({
      holdingsTotal: 10_000 + index,
      visits: index,
    }));
    const responses = await Promise.all(
      attempts.map((values) => save(tally, token, LIB, values, 1)),
    );
    const bodies = await Promise.all(
      responses.map(async (response) => ({
        status: response.status,
        body: (await response.json()) as Record<string, unknown>,
      })),
    );
    const statuses = bodies.map((result) => result.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(RACERS - 1);

    const winnerIndex = statuses.indexOf(200);
    const winner = bodies[winnerIndex]?.body as unknown as View;
    expect(winner).toMatchObject({ revision: 2, values: attempts[winnerIndex] });
    for (const loser of bodies.filter((result) => result.status === 409)) {
      expect(loser.body).toMatchObject({
        status: 409,
        errors: [expect.objectContaining({ path: 'expectedRevision', code: 'stale_revision' })],
      });
    }

    const revisions = await allRevisions(tally, token, LIB);
    expect(revisions.map((revision) => revision.revision)).toEqual([2, 1]);

    const head = await answerJson<View>(await tally.send(submissionPath(LIB), { token }), 200);
    const stored = await answerJson<View>(
      await tally.send(`${submissionPath(LIB)}/revisions/2`, { token }),
      200,
    );
    // The one acknowledged write of the race: it is the head and revision 2.
    const kept = head.revision === 2 && sameValues(stored.values, winner.values);
    if (!kept) tally.lostWrites += 1;
    expect(head.revision).toBe(2);
    expect(head.values).toEqual(attempts[winnerIndex]);
    expect(stored.values).toEqual(attempts[winnerIndex]);
  });
});

describe('twenty creations racing on one report', () => {
  const tally = new Tally();
  afterAll(() => tally.record('concurrency: 20 creations of one report'));

  it('exactly one 201, the rest 409', async () => {
    const LIB = '140181'; // 古交市: no other test touches it
    const token = await tokenFor('library', LIB);
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, index) => save(tally, token, LIB, { visits: index }, 0)),
    );
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(19);
    const winner = await answerJson<View>(responses[statuses.indexOf(201)] as Response, 201);
    expect((await allRevisions(tally, token, LIB)).map((revision) => revision.revision)).toEqual([
      1,
    ]);
    const head = await answerJson<View>(await tally.send(submissionPath(LIB), { token }), 200);
    if (!sameValues(head.values, winner.values)) tally.lostWrites += 1;
    expect(head.values).toEqual(winner.values);
  });
});

describe('a hundred libraries saving and submitting at once', () => {
  const PERIOD_2047 = '2047';
  const LIBRARIES = 100;
  /** Requests in flight at once: enough to overlap every step, little enough for 2 cores. */
  const IN_FLIGHT = 25;
  const tally = new Tally();
  let province: string;
  let libraries: string[];

  interface Write {
    revision: number;
    action: 'save' | 'submit';
    values: Record<string, unknown>;
  }

  /** The drafts a library saves before its complete report: a start, then more figures. */
  const draftsOf = (libraryId: string, index: number): Record<string, unknown>[] => [
    { holdingsTotal: Number(libraryId) },
    { holdingsTotal: Number(libraryId), visits: 1_000 + index, newAcquisitions: index },
    // A complete valid report (武乡县's), made this library's own.
    { ...wuxiangReport2025(), visits: 80_000 + index, loans: 60_000 + index },
  ];

  beforeAll(async () => {
    province = await tokenFor('province');
    const admin = await tokenFor('admin');
    // The period is far in the future: the administrator opens it now for these libraries.
    const now = Date.now();
    await answerJson(
      await sendJson(tally, `/api/periods/${FORM}/${PERIOD_2047}`, 'PUT', admin, {
        opensAt: new Date(now - 86_400_000).toISOString(),
        dueAt: new Date(now + 30 * 86_400_000).toISOString(),
        locksAt: new Date(now + 60 * 86_400_000).toISOString(),
      }),
      200,
    );
    const registry = await answerJson<{ items: { libraryId: string }[] }>(
      await tally.send('/api/libraries', { token: province }),
      200,
    );
    libraries = registry.items
      .map((library) => library.libraryId)
      .sort()
      .slice(0, LIBRARIES);
  });
  afterAll(() => tally.record('concurrency: 100 libraries save and submit'));

  it('keeps every acknowledged write, with exact revision counts and province totals', async () => {
    expect(new Set(libraries).size).toBe(LIBRARIES);
    const acknowledged = new Map<string, Write[]>();
    const tokens = new Map<string, string>();
    for (const libraryId of libraries) {
      tokens.set(libraryId, await tokenFor('library', libraryId));
      acknowledged.set(libraryId, []);
    }

    // Every library's steps are sequential (each needs the previous revision); the libraries
    // run interleaved, IN_FLIGHT requests at a time.
    await inParallel(libraries, IN_FLIGHT, async (libraryId) => {
      const index = libraries.indexOf(libraryId);
      const token = tokens.get(libraryId) ?? '';
      const writes = acknowledged.get(libraryId) ?? [];
      const drafts = draftsOf(libraryId, index);
      for (const [step, values] of drafts.entries()) {
        const view = await answerJson<View>(
          await save(tally, token, libraryId, values, step, PERIOD_2047),
          step === 0 ? 201 : 200,
        );
        writes.push({ revision: view.revision, action: 'save', values });
      }
      const submitted = await answerJson<View>(
        await sendJson(tally, `${submissionPath(libraryId, PERIOD_2047)}/submit`, 'POST', token, {
          expectedRevision: drafts.length,
          explanations: {},
        }),
        200,
      );
      expect(submitted).toMatchObject({ status: 'submitted', revision: drafts.length + 1 });
      writes.push({
        revision: submitted.revision,
        action: 'submit',
        values: drafts[drafts.length - 1] ?? {},
      });
    });

    // Afterwards: every acknowledged write is there, exactly once, with its values.
    await inParallel(libraries, IN_FLIGHT, async (libraryId) => {
      const token = tokens.get(libraryId) ?? '';
      const writes = acknowledged.get(libraryId) ?? [];
      const last = writes[writes.length - 1];
      const head = await answerJson<View>(
        await tally.send(submissionPath(libraryId, PERIOD_2047), { token }),
        200,
      );
      expect(head).toMatchObject({
        libraryId,
        status: 'submitted',
        revision: last?.revision,
        values: last?.values,
        submittedAt: expect.any(String),
      });
      const revisions = await allRevisions(tally, token, libraryId, PERIOD_2047);
      expect(revisions.map(({ revision, action }) => ({ revision, action }))).toEqual(
        writes.map(({ revision, action }) => ({ revision, action })).reverse(),
      );
      for (const write of writes) {
        const stored = await answerJson<View>(
          await tally.send(
            `${submissionPath(libraryId, PERIOD_2047)}/revisions/${write.revision}`,
            {
              token,
            },
          ),
          200,
        );
        if (!sameValues(stored.values, write.values)) tally.lostWrites += 1;
      }
    });
    expect(tally.lostWrites).toBe(0);

    // The province's list counts exactly these hundred reports, all submitted, at revision 4.
    const heads = new Map<string, { status: string; revision: number }>();
    let cursor: string | undefined;
    do {
      const query = new URLSearchParams({
        formId: FORM,
        period: PERIOD_2047,
        limit: '100',
        ...(cursor ? { cursor } : {}),
      });
      const page = await answerJson<Page<{ libraryId: string; status: string; revision: number }>>(
        await tally.send(`/api/submissions?${query}`, { token: province }),
        200,
      );
      for (const item of page.items) {
        expect(heads.has(item.libraryId)).toBe(false);
        heads.set(item.libraryId, { status: item.status, revision: item.revision });
      }
      cursor = page.nextCursor;
    } while (cursor);
    expect([...heads.keys()].sort()).toEqual(libraries);
    expect([...heads.values()].filter((head) => head.status === 'submitted')).toHaveLength(
      LIBRARIES,
    );
    expect(new Set([...heads.values()].map((head) => head.revision))).toEqual(new Set([4]));
    expect(tally.serverErrors).toBe(0);
  });
});
