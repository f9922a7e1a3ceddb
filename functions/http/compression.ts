import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import type { ApiEvent, ApiResult } from './types.js';

/** Smaller bodies gain less than the header costs (CloudFront draws the line at 1,000 bytes). */
export const MIN_COMPRESSED_BYTES = 1_024;

type Coding = 'br' | 'gzip';

/**
 * Brotli at quality 5 compresses a form definition (69 KB) to 10 KB in about 1.5 ms; its
 * default, 11, saves another 1.4 KB for 90 ms.
 */
const encoders: Record<Coding, (body: Buffer) => Buffer> = {
  br: (body) =>
    brotliCompressSync(body, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 5,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_SIZE_HINT]: body.byteLength,
      },
    }),
  gzip: (body) => gzipSync(body),
};

/**
 * The coding to answer with under an Accept-Encoding header (RFC 9110 §12.5.3): Brotli when
 * the client ranks it at least as high as gzip, else gzip; `*` stands for any coding not
 * named, and q=0 refuses one.
 */
export const negotiateCoding = (acceptEncoding: string | undefined): Coding | undefined => {
  if (!acceptEncoding) return undefined;
  const weights = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [name = '', ...parameters] = part.split(';').map((piece) => piece.trim());
    if (name === '') continue;
    const q = parameters.find((parameter) => /^q=/i.test(parameter));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    // A weight outside 0…1 is malformed; such a coding is not taken.
    const coding = name.toLowerCase() === 'x-gzip' ? 'gzip' : name.toLowerCase();
    weights.set(coding, weight >= 0 && weight <= 1 ? weight : 0);
  }
  const weightOf = (coding: Coding) => weights.get(coding) ?? weights.get('*') ?? 0;
  const [br, gzip] = [weightOf('br'), weightOf('gzip')];
  if (br > 0 && br >= gzip) return 'br';
  return gzip > 0 ? 'gzip' : undefined;
};

/** The name under which `headers` has `name`, in whatever case, if it has it. */
const headerKey = (headers: Record<string, unknown>, name: string) =>
  Object.keys(headers).find((key) => key.toLowerCase() === name);

/**
 * Compresses `response` in place for the client that sent `event`, when it accepts a coding
 * and the body is worth it. Also used for answers that skip the `after` middlewares, such as
 * an idempotent replay (functions/http/idempotency.ts).
 */
export const compressResponse = (event: ApiEvent, response: ApiResult | null | undefined): void => {
  if (!response?.body || response.isBase64Encoded) return;
  const headers = { ...response.headers };
  if (headerKey(headers, 'content-encoding') !== undefined) return;
  const body = Buffer.from(response.body);
  if (body.byteLength < MIN_COMPRESSED_BYTES) return;
  // The answer now depends on the header, for any cache on the way.
  const varyKey = headerKey(headers, 'vary');
  const vary = varyKey === undefined ? undefined : String(headers[varyKey]);
  if (varyKey !== undefined) delete headers[varyKey];
  headers.vary = vary ? `${vary}, accept-encoding` : 'accept-encoding';
  response.headers = headers;
  const coding = negotiateCoding(event.headers?.['accept-encoding']);
  if (!coding) return;
  response.body = encoders[coding](body).toString('base64');
  response.isBase64Encoded = true;
  headers['content-encoding'] = coding;
};

/**
 * Compresses JSON answers for clients that accept it. CloudFront does not compress `/api/*`
 * (compression needs a caching policy, and API answers are never cached; it forwards the
 * viewer's Accept-Encoding with the other headers instead) and API Gateway's HTTP APIs do not
 * compress at all, so a library on a slow rural connection would otherwise download the 69 KB
 * form definition as is. Registered before the error mapping, so its `onError` also sees the
 * problem+json that mapping produced (middy runs them in reverse).
 */
export const compression = (): MiddlewareObj<ApiEvent, ApiResult, Error, Context> => ({
  after: (request) => compressResponse(request.event, request.response),
  onError: (request) => compressResponse(request.event, request.response),
});
