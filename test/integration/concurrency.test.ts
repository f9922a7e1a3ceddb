/**
 * Optimistic concurrency through HTTP: racing saves on one report produce exactly one winner and
 * contiguous revisions; parallel writers on different reports never lose an acknowledged write.
 * Libraries of 大同市 (1402xx), 长治市 (1404xx, but not 140429) and 140181, period 2026: used by no
 * other test file.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { api, tokenFor } from './support.js';

const FORM = 'county-annual-report';
const PERIOD = '2026';

interface View {
  libraryId: string;
  status: string;
  revision: number;
  values: Record<string, unknown>;
}

interface Page<Item> {
  items: Item[];
  nextCursor?: string;
}

interface RevisionSummary {
  revision: number;
  action: string;
}

const submissionPath = (libraryId: string) =>
  `/api/libraries/${libraryId}/submissions/${FORM}/${PERIOD}`;

const save = (token: string, libraryId: string, values: unknown, expectedRevision: number) =>
  api(submissionPath(libraryId), {
    method: 'PUT',
    token,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ values, expectedRevision }),
  });

const readJson = async <T>(response: Response, status: number): Promise<T> => {
  const text = await response.text();
  if (response.status !== status) {
    throw new Error(`expected ${status}, got ${response.status}: ${text}`);
  }
  return JSON.parse(text) as T;
};

/** Every revision of a report, newest first, following the cursor to the end. */
const allRevisions = async (token: string, libraryId: string) => {
  const revisions: RevisionSummary[] = [];
  let cursor: string | undefined;
  do {
    const query = new URLSearchParams({ limit: '100', ...(cursor ? { cursor } : {}) });
    const page = await readJson<Page<RevisionSummary>>(
      await api(`${submissionPath(libraryId)}/revisions?${query}`, { token }),
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
  let token: string;
  beforeAll(async () => {
    token = await tokenFor('library', LIB);
    await readJson(await save(token, LIB, { holdingsTotal: 1 }, 0), 201);
  });

  it('lets exactly one win; the others get 409 and change nothing', async () => {
    const attempts = Array.from({ length: RACERS }, (_, index) => ({
      holdingsTotal: 10_000 + index,
      visits: index,
    }));
    const responses = await Promise.all(attempts.map((values) => save(token, LIB, values, 1)));
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

    const revisions = await allRevisions(token, LIB);
    expect(revisions.map((revision) => revision.revision)).toEqual([2, 1]);

    const head = await readJson<View>(await api(submissionPath(LIB), { token }), 200);
    expect(head.revision).toBe(2);
    expect(head.values).toEqual(attempts[winnerIndex]);
    const stored = await readJson<View>(
      await api(`${submissionPath(LIB)}/revisions/2`, { token }),
      200,
    );
    expect(stored.values).toEqual(attempts[winnerIndex]);
  });
});

describe('twenty libraries writing at once', () => {
  const LIBRARIES = [
    '140213',
    '140214',
    '140215',
    '140221',
    '140222',
    '140223',
    '140224',
    '140225',
    '140226',
    '140403',
    '140404',
    '140405',
    '140406',
    '140423',
    '140425',
    '140426',
    '140427',
    '140428',
    '140430',
    '140431',
  ];
  const SAVES_AFTER_CREATE = 3;
  const valuesFor = (libraryId: string, revision: number) => ({
    holdingsTotal: Number(libraryId) + revision,
    newAcquisitions: revision,
  });

  it('keeps every acknowledged write, with exact revision counts', async () => {
    expect(new Set(LIBRARIES).size).toBe(20);
    const acknowledged = await Promise.all(
      LIBRARIES.map(async (libraryId) => {
        const token = await tokenFor('library', libraryId);
        const writes: { revision: number; values: Record<string, unknown> }[] = [];
        for (let expected = 0; expected <= SAVES_AFTER_CREATE; expected += 1) {
          const values = valuesFor(libraryId, expected + 1);
          const view = await readJson<View>(
            await save(token, libraryId, values, expected),
            expected === 0 ? 201 : 200,
          );
          expect(view.revision).toBe(expected + 1);
          writes.push({ revision: view.revision, values });
        }
        return { libraryId, token, writes };
      }),
    );

    await Promise.all(
      acknowledged.map(async ({ libraryId, token, writes }) => {
        const head = await readJson<View>(await api(submissionPath(libraryId), { token }), 200);
        expect(head).toMatchObject({
          libraryId,
          status: 'draft',
          revision: SAVES_AFTER_CREATE + 1,
          values: valuesFor(libraryId, SAVES_AFTER_CREATE + 1),
        });
        const revisions = await allRevisions(token, libraryId);
        expect(revisions.map((revision) => revision.revision)).toEqual([4, 3, 2, 1]);
        for (const write of writes) {
          const stored = await readJson<View>(
            await api(`${submissionPath(libraryId)}/revisions/${write.revision}`, { token }),
            200,
          );
          expect(stored.values).toEqual(write.values);
        }
      }),
    );

    // The province sees all twenty heads at their last revision.
    const province = await tokenFor('province');
    const heads = new Map<string, number>();
    let cursor: string | undefined;
    do {
      const query = new URLSearchParams({
        formId: FORM,
        period: PERIOD,
        limit: '100',
        ...(cursor ? { cursor } : {}),
      });
      const page = await readJson<Page<{ libraryId: string; revision: number }>>(
        await api(`/api/submissions?${query}`, { token: province }),
        200,
      );
      for (const item of page.items) heads.set(item.libraryId, item.revision);
      cursor = page.nextCursor;
    } while (cursor);
    for (const libraryId of LIBRARIES) expect(heads.get(libraryId)).toBe(SAVES_AFTER_CREATE + 1);
  });

  it('racing creations of one report: exactly one 201, the rest 409', async () => {
    const LIB = '140181'; // 古交市: no other test touches it
    const token = await tokenFor('library', LIB);
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, index) => save(token, LIB, { visits: index }, 0)),
    );
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(19);
    const winner = await readJson<View>(responses[statuses.indexOf(201)] as Response, 201);
    expect((await allRevisions(token, LIB)).map((revision) => revision.revision)).toEqual([1]);
    const head = await readJson<View>(await api(submissionPath(LIB), { token }), 200);
    expect(head.values).toEqual(winner.values);
  });
});
