import { describe, expect, it } from '@jest/globals';
import { api, tokenFor } from './support.js';

// Each test its own library (of Jincheng, 晋城市), in the open period 2026.
const report = (library: string) =>
  `/api/libraries/${library}/submissions/county-annual-report/2026`;
const libraryOf = (path: string) => path.split('/')[3] ?? '';

const put = async (path: string, body: unknown, key?: string) =>
  api(path, {
    method: 'PUT',
    token: await tokenFor('library', libraryOf(path)),
    headers: { 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
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
