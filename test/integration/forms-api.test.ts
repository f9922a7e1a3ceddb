import { request } from 'node:http';
import { brotliDecompressSync } from 'node:zlib';
import { describe, expect, it } from '@jest/globals';
import { api, stack, tokenFor } from './support.js';

/** The bytes on the wire and their headers, without fetch's transparent decoding. */
const rawGet = (path: string, headers: Record<string, string>) =>
  new Promise<{ headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
    request(`${stack.url}${path}`, { headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ headers: response.headers, body: Buffer.concat(chunks) }));
      response.on('error', reject);
    })
      .on('error', reject)
      .end();
  });

interface FormBody {
  formId: string;
  version: string;
  sections: { key: string; fields: { key: string; widget: string; unit?: { zh: string } }[] }[];
  rules: { id: string; severity: string }[];
  standards: { key: string; provisional: boolean }[];
  versions: string[];
}

describe('GET /api/forms', () => {
  it('lists the active county annual report to any signed-in user', async () => {
    const response = await api('/api/forms', { token: await tokenFor('library', '140429') });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { items: { formId: string; periodType: string }[] };
    expect(body.items).toContainEqual(
      expect.objectContaining({
        formId: 'county-annual-report',
        version: '2026.1',
        periodType: 'annual',
      }),
    );
  });

  it('needs a token', async () => {
    expect((await api('/api/forms')).status).toBe(401);
  });
});

describe('GET /api/forms/{formId}', () => {
  it('is sent compressed to a browser, under a quarter of its size, and decodes to the same', async () => {
    const authorization = `Bearer ${await tokenFor('library', '140429')}`;
    const plain = await rawGet('/api/forms/county-annual-report', { authorization });
    const compressed = await rawGet('/api/forms/county-annual-report', {
      authorization,
      'accept-encoding': 'gzip, deflate, br, zstd',
    });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(compressed.headers).toMatchObject({ 'content-encoding': 'br', vary: 'accept-encoding' });
    expect(compressed.body.byteLength).toBeLessThan(plain.body.byteLength / 4);
    expect(JSON.parse(brotliDecompressSync(compressed.body).toString('utf8'))).toEqual(
      JSON.parse(plain.body.toString('utf8')),
    );
  });

  it('returns the compiled UI model with rules and standards', async () => {
    const response = await api('/api/forms/county-annual-report', {
      token: await tokenFor('province'),
    });
    expect(response.status).toBe(200);
    const form = (await response.json()) as FormBody;
    expect(form.sections.map((section) => section.key)).toEqual([
      'profile',
      'collection',
      'services',
      'activities',
      'network',
      'staffing',
      'funding',
      'problems',
      'plans',
    ]);
    const funding = form.sections.find((section) => section.key === 'funding');
    expect(funding?.fields).toContainEqual(
      expect.objectContaining({
        key: 'bookFunds',
        widget: 'money',
        unit: expect.objectContaining({ zh: '元' }),
      }),
    );
    expect(form.rules).toContainEqual({
      ...form.rules.find((rule) => rule.id === 'staffSplit'),
      severity: 'error',
    });
    expect(form.standards).toHaveLength(8);
    expect(form.versions).toEqual(['2026.1']);
  });

  it('answers 404 problems for an unknown form or version', async () => {
    const token = await tokenFor('province');
    for (const path of [
      '/api/forms/no-such-form',
      '/api/forms/county-annual-report?version=1999.1',
    ]) {
      const response = await api(path, { token });
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toMatch(/problem\+json/);
    }
  });
});
