import { describe, expect, it } from '@jest/globals';
import { wuxiangReport2025 } from '../../domain/forms/fixtures.js';
import { api, tokenFor } from './support.js';

// Each test its own library (of Jincheng, 晋城市), in the open period 2026.
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
    expect(await revisions(path)).toEqual([1]);
  });

  it('does nothing without a key', async () => {
    const path = report('140524');
    const body = { values: { holdingsTotal: 5 }, expectedRevision: 0 };
    expect((await put(path, body)).status).toBe(201);
    // Without a key the second identical request is a new save, which the revision check refuses.
    expect((await put(path, body)).status).toBe(409);
  });
});
