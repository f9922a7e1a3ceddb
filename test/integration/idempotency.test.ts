import { describe, expect, it } from '@jest/globals';
import { wuxiangReport2025 } from '../../domain/forms/fixtures.js';
import { api, tokenFor } from './support.js';

// Each test its own library (of Jincheng, 晋城市, or Xinzhou, 忻州市), in the open period 2026.
const report = (library: string) =>
  `/api/libraries/${library}/submissions/county-annual-report/2026`;
const libraryOf = (path: string) => path.split('/')[3] ?? '';

const put = async (
  path: string,
  body: unknown,
  key?: string,
  headers: Record<string, string> = {},
) =>
  api(path, {
    method: 'PUT',
    token: await tokenFor('library', libraryOf(path)),
    headers: {
      'content-type': 'application/json',
      ...(key ? { 'idempotency-key': key } : {}),
      ...headers,
    },
    body: JSON.stringify(body),
  });

const post = async (path: string, token: string, body: unknown, key?: string) =>
  api(path, {
    method: 'POST',
    token,
    headers: {
      'content-type': 'application/json',
      ...(key ? { 'idempotency-key': key } : {}),
    },
    body: JSON.stringify(body),
  });

/** A full report saved and submitted without keys: the state `accept` needs. */
const submitted = async (path: string) => {
  const token = await tokenFor('library', libraryOf(path));
  expect((await put(path, { values: wuxiangReport2025(), expectedRevision: 0 })).status).toBe(201);
  expect((await post(`${path}/submit`, token, { expectedRevision: 1 })).status).toBe(200);
};

const revisions = async (path: string) => {
  const response = await api(`${path}/revisions`, {
    token: await tokenFor('library', libraryOf(path)),
  });
  return ((await response.json()) as { items: { revision: number }[] }).items.map(
    (item) => item.revision,
  );
};

describe('Idempotency-Key', () => {
  it('answers a repeated save with the first response and writes one revision', async () => {
    const path = report('140521');
    const body = { values: { holdingsTotal: 129_000 }, expectedRevision: 0 };
    const first = await put(path, body, 'save-once-1');
    const again = await put(path, body, 'save-once-1');
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.json()).toEqual(await first.json());
    expect(await revisions(path)).toEqual([1]);
  });

  it('compresses a replay for the Accept-Encoding of the repeated request', async () => {
    const path = report('140502');
    // A full report: its answer is large enough to be compressed.
    const body = { values: wuxiangReport2025(), expectedRevision: 0 };
    const first = await put(path, body, 'save-gzip', { 'accept-encoding': 'gzip' });
    const replay = await put(path, body, 'save-gzip', { 'accept-encoding': 'br' });
    const plainReplay = await put(path, body, 'save-gzip', { 'accept-encoding': 'identity' });
    expect(first.headers.get('content-encoding')).toBe('gzip');
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.headers.get('content-encoding')).toBe('br');
    expect(replay.headers.get('vary')).toBe('accept-encoding');
    expect(plainReplay.headers.get('content-encoding')).toBeNull();
    // fetch decodes each coding: all three are the same answer.
    const answer = await first.json();
    expect(await replay.json()).toEqual(answer);
    expect(await plainReplay.json()).toEqual(answer);
  });

  it('refuses the same key with a different body, writing nothing', async () => {
    const path = report('140522');
    expect(
      (await put(path, { values: { holdingsTotal: 1 }, expectedRevision: 0 }, 'reused')).status,
    ).toBe(201);
    const reused = await put(path, { values: { holdingsTotal: 2 }, expectedRevision: 0 }, 'reused');
    expect(reused.status).toBe(422);
    expect(reused.headers.get('content-type')).toMatch(/problem\+json/);
    const problem = (await reused.json()) as { errors: { path: string; code: string }[] };
    expect(problem.errors).toEqual([
      expect.objectContaining({ path: 'Idempotency-Key', code: 'key_reused' }),
    ]);
    expect(await revisions(path)).toEqual([1]);
  });

  it('does nothing without a key', async () => {
    const path = report('140524');
    const body = { values: { holdingsTotal: 5 }, expectedRevision: 0 };
    expect((await put(path, body)).status).toBe(201);
    // Without a key the second identical request is a new save, which the revision check refuses.
    expect((await put(path, body)).status).toBe(409);
  });

  it('processes concurrent identical requests once: the others get the replay or 409', async () => {
    const path = report('140926');
    const body = { values: { holdingsTotal: 7 }, expectedRevision: 0 };
    const answers = await Promise.all(
      Array.from({ length: 6 }, async () => {
        const response = await put(path, body, 'concurrent');
        return {
          status: response.status,
          replayed: response.headers.get('idempotent-replayed') === 'true',
          type: response.headers.get('content-type') ?? '',
          body: (await response.json()) as { revision?: number },
        };
      }),
    );
    const processed = answers.filter((answer) => answer.status === 201 && !answer.replayed);
    expect(processed).toHaveLength(1);
    for (const answer of answers) {
      if (answer === processed[0]) continue;
      if (answer.status === 201) {
        expect(answer.replayed).toBe(true);
        expect(answer.body).toEqual(processed[0]?.body);
      } else {
        expect(answer.status).toBe(409);
        expect(answer.type).toMatch(/problem\+json/);
      }
    }
    expect(await revisions(path)).toEqual([1]);
  });

  it('scopes keys to the caller: another library with the same key and body is processed', async () => {
    const first = report('140927');
    const second = report('140928');
    const body = { values: { holdingsTotal: 11 }, expectedRevision: 0 };
    const a = await put(first, body, 'shared-key');
    const b = await put(second, body, 'shared-key');
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.headers.get('idempotent-replayed')).toBeNull();
    expect(((await b.json()) as { libraryId: string }).libraryId).toBe('140928');
    expect(await revisions(first)).toEqual([1]);
    expect(await revisions(second)).toEqual([1]);
  });

  it('scopes keys to the caller on the same route: an admin repeating a province accept is processed', async () => {
    const path = report('140930');
    await submitted(path);
    const [province, admin] = await Promise.all([tokenFor('province'), tokenFor('admin')]);
    const accepted = await post(`${path}/accept`, province, {}, 'accept-once');
    expect(accepted.status).toBe(200);
    // Not the province's answer again: the admin's own accept, which the accepted state refuses.
    const byAdmin = await post(`${path}/accept`, admin, {}, 'accept-once');
    expect(byAdmin.status).toBe(409);
    expect(byAdmin.headers.get('idempotent-replayed')).toBeNull();
    const again = await post(`${path}/accept`, province, {}, 'accept-once');
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await revisions(path)).toEqual([3, 2, 1]);
  });

  it('scopes keys to the route: the key of a save is new on /submit', async () => {
    const path = report('140929');
    const token = await tokenFor('library', '140929');
    const saved = await put(path, { values: wuxiangReport2025(), expectedRevision: 0 }, 'one-key');
    expect(saved.status).toBe(201);
    // Another body on the same route would be 422; on /submit it is a request of its own.
    const submit = await post(`${path}/submit`, token, { expectedRevision: 1 }, 'one-key');
    expect(submit.status).toBe(200);
    expect(submit.headers.get('idempotent-replayed')).toBeNull();
    expect(((await submit.json()) as { status: string }).status).toBe('submitted');
    expect(await revisions(path)).toEqual([2, 1]);
  });

  it('remembers no failed request: a 400 may be retried with the same key once fixed', async () => {
    const path = report('140931');
    const invalid = { values: { holdingsTotal: -5 }, expectedRevision: 0 };
    const refused = await put(path, invalid, 'fix-and-retry');
    expect(refused.status).toBe(400);
    // The same failing request is checked again, not replayed.
    const refusedAgain = await put(path, invalid, 'fix-and-retry');
    expect(refusedAgain.status).toBe(400);
    expect(refusedAgain.headers.get('idempotent-replayed')).toBeNull();
    // Another body with the same key: not 422, as nothing was remembered.
    const fixed = { values: { holdingsTotal: 5 }, expectedRevision: 0 };
    const saved = await put(path, fixed, 'fix-and-retry');
    expect(saved.status).toBe(201);
    expect(saved.headers.get('idempotent-replayed')).toBeNull();
    const replay = await put(path, fixed, 'fix-and-retry');
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await revisions(path)).toEqual([1]);
  });

  it('remembers no failed request: a stale revision (409) may be retried with the same key', async () => {
    const path = report('140932');
    expect((await put(path, { values: { holdingsTotal: 1 }, expectedRevision: 0 })).status).toBe(
      201,
    );
    const stale = await put(path, { values: { holdingsTotal: 2 }, expectedRevision: 0 }, 'rebase');
    expect(stale.status).toBe(409);
    const rebased = await put(
      path,
      { values: { holdingsTotal: 2 }, expectedRevision: 1 },
      'rebase',
    );
    expect(rebased.status).toBe(200);
    expect(rebased.headers.get('idempotent-replayed')).toBeNull();
    expect(((await rebased.json()) as { revision: number }).revision).toBe(2);
    expect(await revisions(path)).toEqual([2, 1]);
  });

  // Powertools idempotency 2.35 deletes the record when it refuses a request
  // (aws-powertools/powertools-lambda-typescript#5675); functions/http/idempotency.ts keeps it.
  it('still replays the first response after refusing a reused key', async () => {
    const path = report('140981');
    const body = { values: { holdingsTotal: 3 }, expectedRevision: 0 };
    expect((await put(path, body, 'kept')).status).toBe(201);
    const reused = await put(path, { values: { holdingsTotal: 4 }, expectedRevision: 0 }, 'kept');
    expect(reused.status).toBe(422);
    const again = await put(path, body, 'kept');
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
  });
});
