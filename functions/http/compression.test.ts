process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { describe, expect, it } from '@jest/globals';
import middy from '@middy/core';
import { BadRequestError } from '../../domain/errors.js';
import { createLambdaContext } from '../../local/api-gateway-event.js';
import { healthEvent } from '../../test/fixtures/health-event.js';
import { MIN_COMPRESSED_BYTES, negotiateCoding } from './compression.js';
import type { ApiEvent, ApiResult } from './types.js';

const { apiMiddlewares } = await import('./middlewares.js');
const { json } = await import('./responses.js');

/** What a browser sees: the body decoded as its Content-Encoding says. */
const decoded = (result: ApiResult): string => {
  const raw = Buffer.from(result.body ?? '', result.isBase64Encoded ? 'base64' : 'utf8');
  const coding = result.headers?.['content-encoding'];
  if (coding === 'br') return brotliDecompressSync(raw).toString('utf8');
  if (coding === 'gzip') return gunzipSync(raw).toString('utf8');
  return raw.toString('utf8');
};

const invoke = (answer: (event: ApiEvent) => Promise<ApiResult>, acceptEncoding?: string) => {
  const handler = middy(answer).use(apiMiddlewares());
  const headers = acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding };
  return handler(healthEvent(headers), createLambdaContext('test'));
};

/** A JSON body well above the threshold, with the Chinese text the API mostly returns. */
const largeBody = {
  items: Array.from({ length: 200 }, (_, index) => ({ index, name: `图书馆 ${index}` })),
};
const answerLarge = async () => json(200, largeBody, 'corr-1');

describe('negotiateCoding', () => {
  it.each([
    ['gzip, deflate, br, zstd', 'br'],
    ['gzip, deflate', 'gzip'],
    ['br;q=0.5, gzip', 'gzip'],
    ['BR, GZIP', 'br'],
    ['gzip;q=0, br;q=0', undefined],
    ['identity', undefined],
    ['*', 'br'],
    ['*;q=0.5, br;q=0', 'gzip'],
    ['gzip;q=0, *', 'br'],
    ['', undefined],
    [undefined, undefined],
    ['br;q=nonsense, gzip', 'gzip'],
    ['br;q=2, gzip;q=0.5', 'gzip'],
    ['x-gzip', 'gzip'],
  ])('answers %p with %p', (header, coding) => {
    expect(negotiateCoding(header)).toBe(coding);
  });
});

describe('compression in the API middleware', () => {
  it('sends Brotli to a browser and the body decodes to the same JSON', async () => {
    const result = await invoke(answerLarge, 'gzip, deflate, br, zstd');
    expect(result.headers?.['content-encoding']).toBe('br');
    expect(result.headers?.vary).toBe('accept-encoding');
    expect(result.isBase64Encoded).toBe(true);
    expect(JSON.parse(decoded(result))).toEqual(largeBody);
    // The other headers survive.
    expect(result.headers?.['content-type']).toBe('application/json; charset=utf-8');
    expect(result.headers?.['x-correlation-id']).toBe('corr-1');
  });

  it('sends gzip to a client that takes only gzip', async () => {
    const result = await invoke(answerLarge, 'gzip');
    expect(result.headers?.['content-encoding']).toBe('gzip');
    expect(JSON.parse(decoded(result))).toEqual(largeBody);
  });

  it('sends the body as is without Accept-Encoding, but says it varies by it', async () => {
    const result = await invoke(answerLarge);
    expect(result.headers?.['content-encoding']).toBeUndefined();
    expect(result.headers?.vary).toBe('accept-encoding');
    expect(result.isBase64Encoded).toBeFalsy();
    expect(JSON.parse(result.body ?? '')).toEqual(largeBody);
  });

  it('leaves a body under the threshold alone', async () => {
    const result = await invoke(async () => json(200, { ok: true }, 'corr-2'), 'br');
    expect(JSON.stringify({ ok: true }).length).toBeLessThan(MIN_COMPRESSED_BYTES);
    expect(result.headers?.['content-encoding']).toBeUndefined();
    expect(result.body).toBe('{"ok":true}');
  });

  it('leaves binary and already encoded answers alone', async () => {
    const binary = Buffer.alloc(4_096, 7).toString('base64');
    const asBinary = await invoke(
      async () => ({ statusCode: 200, body: binary, isBase64Encoded: true }),
      'br',
    );
    expect(asBinary).toMatchObject({ body: binary, isBase64Encoded: true });
    expect(asBinary.headers?.['content-encoding']).toBeUndefined();

    const text = 'x'.repeat(4_096);
    const encoded = await invoke(
      async () => ({ statusCode: 200, headers: { 'Content-Encoding': 'identity' }, body: text }),
      'br',
    );
    expect(encoded.body).toBe(text);
  });

  it('adds accept-encoding to a Vary the answer already has', async () => {
    const result = await invoke(
      async () => ({ statusCode: 200, headers: { Vary: 'origin' }, body: 'x'.repeat(4_096) }),
      'gzip',
    );
    expect(result.headers).toMatchObject({ vary: 'origin, accept-encoding' });
    expect(result.headers?.Vary).toBeUndefined();
  });

  it('compresses a large problem+json from the error mapping too', async () => {
    const errors = Array.from({ length: 60 }, (_, index) => ({
      path: `values.field${index}`,
      code: 'too_big',
      message: { zh: '超出允许的范围', en: 'out of the allowed range' },
    }));
    const result = await invoke(async () => {
      throw new BadRequestError({ zh: '数据有误', en: 'Invalid values' }, { errors });
    }, 'gzip');
    expect(result.statusCode).toBe(400);
    expect(result.headers?.['content-encoding']).toBe('gzip');
    expect(result.headers?.['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(JSON.parse(decoded(result))).toMatchObject({ status: 400, errors });
  });
});
