import { describe, expect, it } from '@jest/globals';
import * as z from 'zod/mini';
import {
  AppError,
  BadRequestError,
  PayloadTooLargeError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
} from '../../domain/errors.js';
import { matchRoute, toApiGatewayEvent } from '../../local/api-gateway-event.js';
import { routes } from '../routes.js';
import { MAX_BODY_BYTES, principalOf, readJsonBody, readOptionalJsonBody } from './request.js';
import type { ApiEvent } from './types.js';

const Draft = z.object({
  expectedRevision: z.number().check(z.int(), z.minimum(0)),
  values: z.object({
    holdings: z.number().check(z.int(), z.nonnegative()),
    name: z.string().check(z.minLength(1)),
  }),
});

type BodyEvent = Pick<ApiEvent, 'body' | 'isBase64Encoded' | 'headers'>;

const jsonEvent = (body: string | undefined, overrides: Partial<BodyEvent> = {}): BodyEvent => ({
  headers: { 'content-type': 'application/json' },
  isBase64Encoded: false,
  ...(body !== undefined ? { body } : {}),
  ...overrides,
});

const validDraft = { expectedRevision: 0, values: { holdings: 120_000, name: '武乡县图书馆' } };

/** Runs readJsonBody and returns the error it must throw. */
const failureOf = (event: BodyEvent): AppError => {
  let thrown: unknown;
  try {
    readJsonBody(event, Draft);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(AppError);
  if (!(thrown instanceof AppError)) throw new Error(`expected an AppError, got ${String(thrown)}`);
  return thrown;
};

describe('readJsonBody', () => {
  it('returns the parsed data of a valid body', () => {
    expect(readJsonBody(jsonEvent(JSON.stringify(validDraft)), Draft)).toEqual(validDraft);
  });

  it('strips keys the schema does not know (zod default)', () => {
    const data = readJsonBody(jsonEvent(JSON.stringify({ ...validDraft, extra: 1 })), Draft);
    expect(data).toEqual(validDraft);
  });

  it('accepts a JSON content type with parameters and in any case', () => {
    for (const contentType of [
      'application/json; charset=utf-8',
      'Application/JSON',
      'application/json;charset=UTF-8',
    ]) {
      expect(
        readJsonBody(
          jsonEvent(JSON.stringify(validDraft), { headers: { 'content-type': contentType } }),
          Draft,
        ),
      ).toEqual(validDraft);
    }
  });

  it('accepts application/problem+json and other +json types', () => {
    for (const contentType of ['application/problem+json', 'application/merge-patch+json']) {
      expect(
        readJsonBody(
          jsonEvent(JSON.stringify(validDraft), { headers: { 'content-type': contentType } }),
          Draft,
        ),
      ).toEqual(validDraft);
    }
  });

  it('decodes a base64-encoded body', () => {
    const body = Buffer.from(JSON.stringify(validDraft), 'utf8').toString('base64');
    expect(readJsonBody(jsonEvent(body, { isBase64Encoded: true }), Draft)).toEqual(validDraft);
  });

  it('rejects malformed JSON with a (body) invalid_json field error', () => {
    const error = failureOf(jsonEvent('{"expectedRevision": 0,'));
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.statusCode).toBe(400);
    expect(error.errors).toHaveLength(1);
    expect(error.errors[0]?.path).toBe('(body)');
    expect(error.errors[0]?.code).toBe('invalid_json');
    expect(error.errors[0]?.message.zh).not.toBe('');
    expect(error.errors[0]?.message.en).not.toBe('');
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  it.each([
    ['an empty body', ''],
    ['a missing body', undefined],
    ['a bare word', 'hello'],
  ])('rejects %s as invalid JSON', (_label, body) => {
    const error = failureOf(jsonEvent(body));
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.errors[0]?.code).toBe('invalid_json');
  });

  it('rejects invalid UTF-8 bytes', () => {
    const body = Buffer.from([0xff, 0xfe]).toString('base64');
    const error = failureOf(jsonEvent(body, { isBase64Encoded: true }));
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.errors[0]?.path).toBe('(body)');
    expect(error.errors[0]?.code).toBe('invalid_json');
  });

  it('rejects invalid UTF-8 inside an otherwise valid JSON string', () => {
    const bytes = Buffer.concat([
      Buffer.from('{"expectedRevision":0,"values":{"holdings":1,"name":"', 'utf8'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}}', 'utf8'),
    ]);
    const error = failureOf(jsonEvent(bytes.toString('base64'), { isBase64Encoded: true }));
    expect(error).toBeInstanceOf(BadRequestError);
  });

  it.each([
    ['text/plain', { 'content-type': 'text/plain' }],
    ['form data', { 'content-type': 'application/x-www-form-urlencoded' }],
    ['a json-ish lookalike', { 'content-type': 'application/jsonp' }],
    ['json as a parameter', { 'content-type': 'text/plain; type=application/json' }],
    ['no content type', {}],
  ])('rejects %s with 415', (_label, headers) => {
    const error = failureOf(jsonEvent(JSON.stringify(validDraft), { headers }));
    expect(error).toBeInstanceOf(UnsupportedMediaTypeError);
    expect(error.statusCode).toBe(415);
  });

  it('checks the content type before reading the body', () => {
    const error = failureOf(jsonEvent('not json', { headers: { 'content-type': 'text/plain' } }));
    expect(error).toBeInstanceOf(UnsupportedMediaTypeError);
  });

  it('rejects a body over MAX_BODY_BYTES with 413', () => {
    const padding = 'x'.repeat(MAX_BODY_BYTES);
    const error = failureOf(jsonEvent(JSON.stringify({ ...validDraft, padding })));
    expect(error).toBeInstanceOf(PayloadTooLargeError);
    expect(error.statusCode).toBe(413);
  });

  it('counts bytes, not characters, against the limit', () => {
    // 武 is three bytes in UTF-8: a third of the limit in characters is over it in bytes.
    const name = '武'.repeat(Math.ceil(MAX_BODY_BYTES / 3) + 1);
    const body = JSON.stringify({ expectedRevision: 0, values: { holdings: 1, name } });
    expect(body.length).toBeLessThan(MAX_BODY_BYTES);
    expect(failureOf(jsonEvent(body))).toBeInstanceOf(PayloadTooLargeError);
  });

  it('applies the limit to the decoded size of a base64 body', () => {
    const json = JSON.stringify({ ...validDraft, padding: 'x'.repeat(MAX_BODY_BYTES) });
    const body = Buffer.from(json, 'utf8').toString('base64');
    expect(failureOf(jsonEvent(body, { isBase64Encoded: true }))).toBeInstanceOf(
      PayloadTooLargeError,
    );
  });

  it('accepts a body of exactly MAX_BODY_BYTES', () => {
    const skeleton = JSON.stringify({ ...validDraft, padding: '' });
    const padding = 'x'.repeat(MAX_BODY_BYTES - Buffer.byteLength(skeleton));
    const body = JSON.stringify({ ...validDraft, padding });
    expect(Buffer.byteLength(body)).toBe(MAX_BODY_BYTES);
    expect(readJsonBody(jsonEvent(body), Draft)).toEqual(validDraft);
  });

  it('lists every invalid field with its path and zh/en messages', () => {
    const error = failureOf(
      jsonEvent(JSON.stringify({ expectedRevision: -1, values: { holdings: 'many', name: '' } })),
    );
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.statusCode).toBe(400);
    expect(error.errors.map((fieldError) => fieldError.path).sort()).toEqual([
      'expectedRevision',
      'values.holdings',
      'values.name',
    ]);
    for (const fieldError of error.errors) {
      expect(fieldError.code).not.toBe('');
      expect(fieldError.message.en).not.toBe('');
      // Chinese of its own, not zod's English inside a Chinese sentence.
      expect(fieldError.message.zh).not.toMatch(/[A-Za-z]{3}/);
    }
    expect(error.errors.find((fieldError) => fieldError.path === 'values.holdings')?.code).toBe(
      'invalid_type',
    );
    expect(error.cause).toBeInstanceOf(z.core.$ZodError);
  });

  it("words zod's own issues in English, as zod's full build did, and in Chinese by the issue", () => {
    const error = failureOf(
      jsonEvent(JSON.stringify({ expectedRevision: -1, values: { holdings: 'many', name: '' } })),
    );
    expect(Object.fromEntries(error.errors.map((e) => [e.path, e.message]))).toEqual({
      expectedRevision: {
        zh: '不能小于 0',
        en: 'Too small: expected number to be >=0',
      },
      'values.holdings': {
        zh: '类型不正确，应为数字',
        en: 'Invalid input: expected number, received string',
      },
      'values.name': {
        zh: '至少 1 个字符',
        en: 'Too small: expected string to have >=1 characters',
      },
    });
  });

  it('reports missing fields by their path, as missing', () => {
    const error = failureOf(jsonEvent(JSON.stringify({ values: {} })));
    expect(error.errors.map((fieldError) => fieldError.path).sort()).toEqual([
      'expectedRevision',
      'values.holdings',
      'values.name',
    ]);
    expect(new Set(error.errors.map((fieldError) => fieldError.message.zh))).toEqual(
      new Set(['缺少此项']),
    );
  });

  it('reports a wrong top-level type against (body)', () => {
    const error = failureOf(jsonEvent('[1,2]'));
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.errors).toHaveLength(1);
    expect(error.errors[0]?.path).toBe('(body)');
    expect(error.errors[0]?.code).toBe('invalid_type');
  });

  it('joins array indexes into the path', () => {
    const List = z.object({
      items: z.array(z.object({ id: z.string().check(z.regex(/^\d{6}$/)) })),
    });
    let thrown: unknown;
    try {
      readJsonBody(jsonEvent(JSON.stringify({ items: [{ id: '140429' }, { id: 'x' }] })), List);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(BadRequestError);
    if (!(thrown instanceof BadRequestError)) return;
    expect(thrown.errors.map((fieldError) => fieldError.path)).toEqual(['items.1.id']);
  });
});

describe('readOptionalJsonBody', () => {
  const Accept = z.strictObject({ expectedRevision: z.optional(z.number()) });

  it('reads no body at all, with no content type, as {}', () => {
    expect(readOptionalJsonBody({ headers: {}, isBase64Encoded: false }, Accept)).toEqual({});
    expect(readOptionalJsonBody({ headers: {}, isBase64Encoded: false, body: '' }, Accept)).toEqual(
      {},
    );
  });

  it('reads a body that is sent as readJsonBody does, refusals included', () => {
    expect(readOptionalJsonBody(jsonEvent('{"expectedRevision":3}'), Accept)).toEqual({
      expectedRevision: 3,
    });
    expect(() => readOptionalJsonBody(jsonEvent('{"expectedRevision":"3"}'), Accept)).toThrow(
      BadRequestError,
    );
    expect(() =>
      readOptionalJsonBody({ headers: {}, isBase64Encoded: false, body: '{}' }, Accept),
    ).toThrow(/application\/json/);
  });

  it('still refuses {} for a schema with required fields', () => {
    expect(() => readOptionalJsonBody({ headers: {}, isBase64Encoded: false }, Draft)).toThrow(
      BadRequestError,
    );
  });
});

describe('principalOf', () => {
  const libraryRoute = matchRoute(routes, 'GET', '/api/libraries');
  const eventWith = (claims: Parameters<typeof toApiGatewayEvent>[2]) => {
    if (libraryRoute === undefined) throw new Error('GET /api/libraries must be routed');
    return toApiGatewayEvent(
      {
        method: 'GET',
        url: '/api/libraries',
        headers: { host: '127.0.0.1' },
        body: Buffer.alloc(0),
        sourceIp: '127.0.0.1',
      },
      libraryRoute,
      claims,
    );
  };

  it('reads the principal from the JWT authorizer claims', () => {
    const event = eventWith({
      sub: 'user-1',
      'cognito:groups': ['library'],
      'custom:libraryId': '140429',
    });
    expect(event.requestContext.authorizer?.jwt?.claims['cognito:groups']).toBe('[library]');
    expect(principalOf(event)).toEqual({
      subject: 'user-1',
      role: 'library',
      libraryId: '140429',
    });
  });

  it('reads a province principal', () => {
    expect(principalOf(eventWith({ sub: 'user-2', 'cognito:groups': ['province'] }))).toEqual({
      subject: 'user-2',
      role: 'province',
    });
  });

  it('throws UnauthorizedError when the authorizer is absent', () => {
    const event = eventWith(undefined);
    expect(event.requestContext).not.toHaveProperty('authorizer');
    expect(() => principalOf(event)).toThrow(UnauthorizedError);
  });

  it('throws UnauthorizedError when the authorizer has no jwt', () => {
    const event = eventWith(undefined);
    const withoutJwt = {
      ...event,
      requestContext: { ...event.requestContext, authorizer: {} },
    } as unknown as ApiEvent;
    expect(() => principalOf(withoutJwt)).toThrow(UnauthorizedError);
  });
});
