import { APIGatewayProxyEventV2Schema } from '@aws-lambda-powertools/parser/schemas';
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { JWTPayload } from 'jose';
import type { ApiEvent } from '../functions/http/types.js';
import type { RouteDefinition } from '../functions/routes.js';
import {
  claimsAsApiGatewayPlacesThem,
  createLambdaContext,
  fromLambdaResult,
  matchRoute,
  type PlainRequest,
  type RouteMatch,
  toApiGatewayEvent,
} from './api-gateway-event.js';

const libraryRoute: RouteDefinition = {
  method: 'GET',
  path: '/api/libraries/{libraryId}',
  function: 'get-library',
  auth: 'jwt',
};
const submissionRoute: RouteDefinition = {
  method: 'PUT',
  path: '/api/libraries/{libraryId}/submissions/{formId}/{period}',
  function: 'save-draft',
  auth: 'jwt',
};
const healthRoute: RouteDefinition = {
  method: 'GET',
  path: '/api/health',
  function: 'health',
  auth: 'public',
};
const routes = [healthRoute, libraryRoute, submissionRoute];

const request = (overrides: Partial<PlainRequest> = {}): PlainRequest => ({
  method: 'GET',
  url: '/api/libraries/140429',
  headers: { host: '127.0.0.1:3000', 'user-agent': 'jest' },
  body: Buffer.alloc(0),
  sourceIp: '127.0.0.1',
  ...overrides,
});

const matched = (method: string, rawPath: string): RouteMatch<RouteDefinition> => {
  const match = matchRoute(routes, method, rawPath);
  if (match === undefined) throw new Error(`no route for ${method} ${rawPath}`);
  return match;
};

const claims: JWTPayload = {
  sub: '0f8fad5b-d9cb-469f-a165-70867728950e',
  'cognito:groups': ['library', 'province'],
  'custom:libraryId': '140429',
  token_use: 'id',
  iss: 'https://local-idp.county-library-reports.invalid',
  aud: 'county-library-reports-web',
  exp: 1_900_000_000,
  iat: 1_899_956_800,
  email_verified: true,
  address: { locality: '武乡县' },
};

/** Validates with the schema AWS publishes for HTTP API payload 2.0 events. */
const expectValidEvent = (event: ApiEvent) => {
  const result = APIGatewayProxyEventV2Schema.safeParse(event);
  expect(result.error?.issues ?? []).toEqual([]);
  expect(result.success).toBe(true);
};

describe('toApiGatewayEvent', () => {
  it('builds a valid GET event with path parameters and the route key', () => {
    const now = new Date(Date.UTC(2020, 2, 12, 19, 3, 58, 390));
    const event = toApiGatewayEvent(
      request(),
      matched('GET', '/api/libraries/140429'),
      undefined,
      now,
    );
    expectValidEvent(event);
    expect(event.version).toBe('2.0');
    expect(event.routeKey).toBe('GET /api/libraries/{libraryId}');
    expect(event.requestContext.routeKey).toBe('GET /api/libraries/{libraryId}');
    expect(event.rawPath).toBe('/api/libraries/140429');
    expect(event.rawQueryString).toBe('');
    expect(event.pathParameters).toEqual({ libraryId: '140429' });
    expect(event.queryStringParameters).toBeUndefined();
    expect(event.body).toBeUndefined();
    expect(event.isBase64Encoded).toBe(false);
    expect(event.requestContext.http).toEqual({
      method: 'GET',
      path: '/api/libraries/140429',
      protocol: 'HTTP/1.1',
      sourceIp: '127.0.0.1',
      userAgent: 'jest',
    });
    expect(event.requestContext.stage).toBe('$default');
    expect(event.requestContext.time).toBe('12/Mar/2020:19:03:58 +0000');
    expect(event.requestContext.timeEpoch).toBe(now.getTime());
    expect(event.requestContext.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('gives every request its own request id', () => {
    const first = toApiGatewayEvent(request(), matched('GET', '/api/libraries/140429'), undefined);
    const second = toApiGatewayEvent(request(), matched('GET', '/api/libraries/140429'), undefined);
    expect(first.requestContext.requestId).not.toBe(second.requestContext.requestId);
  });

  it('splits the query string and joins duplicate keys with a comma', () => {
    const event = toApiGatewayEvent(
      request({ url: '/api/libraries/140429?formId=annual&period=2024&period=2025&q=%E6%AD%A6' }),
      matched('GET', '/api/libraries/140429'),
      undefined,
    );
    expectValidEvent(event);
    expect(event.rawPath).toBe('/api/libraries/140429');
    expect(event.rawQueryString).toBe('formId=annual&period=2024&period=2025&q=%E6%AD%A6');
    expect(event.queryStringParameters).toEqual({
      formId: 'annual',
      period: '2024,2025',
      q: '武',
    });
  });

  it('passes a JSON body as text, not base64', () => {
    const body = JSON.stringify({ values: { holdings: 120_000 }, expectedRevision: 0, 名: '武乡' });
    const event = toApiGatewayEvent(
      request({
        method: 'PUT',
        url: '/api/libraries/140429/submissions/annual/2024',
        headers: {
          host: '127.0.0.1:3000',
          'content-type': 'application/json; charset=utf-8',
          'content-length': String(Buffer.byteLength(body)),
        },
        body: Buffer.from(body, 'utf8'),
      }),
      matched('PUT', '/api/libraries/140429/submissions/annual/2024'),
      claims,
    );
    expectValidEvent(event);
    expect(event.routeKey).toBe('PUT /api/libraries/{libraryId}/submissions/{formId}/{period}');
    expect(event.pathParameters).toEqual({ libraryId: '140429', formId: 'annual', period: '2024' });
    expect(event.isBase64Encoded).toBe(false);
    expect(event.body).toBe(body);
  });

  it.each(['application/problem+json', 'text/plain', 'application/x-www-form-urlencoded'])(
    'passes a %s body as text',
    (contentType) => {
      const event = toApiGatewayEvent(
        request({
          method: 'PUT',
          url: '/api/libraries/140429/submissions/annual/2024',
          headers: { 'content-type': contentType },
          body: Buffer.from('a=1', 'utf8'),
        }),
        matched('PUT', '/api/libraries/140429/submissions/annual/2024'),
        undefined,
      );
      expect(event.isBase64Encoded).toBe(false);
      expect(event.body).toBe('a=1');
    },
  );

  it.each([
    ['a binary content type', 'image/png'],
    ['no content type', undefined],
  ])('base64-encodes a body with %s', (_label, contentType) => {
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff, 0xfe]);
    const event = toApiGatewayEvent(
      request({
        method: 'PUT',
        url: '/api/libraries/140429/submissions/annual/2024',
        headers: contentType ? { 'content-type': contentType } : {},
        body: bytes,
      }),
      matched('PUT', '/api/libraries/140429/submissions/annual/2024'),
      undefined,
    );
    expectValidEvent(event);
    expect(event.isBase64Encoded).toBe(true);
    expect(event.body).toBe(bytes.toString('base64'));
    expect(Buffer.from(event.body ?? '', 'base64').equals(bytes)).toBe(true);
  });

  it('moves cookies out of the headers into `cookies`', () => {
    const event = toApiGatewayEvent(
      request({
        headers: { host: 'localhost', cookie: 'session=abc; theme=dark;lang=zh', accept: '*/*' },
      }),
      matched('GET', '/api/libraries/140429'),
      undefined,
    );
    expectValidEvent(event);
    expect(event.cookies).toEqual(['session=abc', 'theme=dark', 'lang=zh']);
    expect(event.headers).not.toHaveProperty('cookie');
    expect(event.headers.accept).toBe('*/*');
  });

  it('leaves `cookies` out when there are none', () => {
    const event = toApiGatewayEvent(request(), matched('GET', '/api/libraries/140429'), undefined);
    expect(event).not.toHaveProperty('cookies');
    const empty = toApiGatewayEvent(
      request({ headers: { cookie: '' } }),
      matched('GET', '/api/libraries/140429'),
      undefined,
    );
    expect(empty).not.toHaveProperty('cookies');
  });

  it('joins repeated headers with a comma', () => {
    const event = toApiGatewayEvent(
      request({ headers: { 'x-forwarded-for': ['10.0.0.1', '10.0.0.2'] } }),
      matched('GET', '/api/libraries/140429'),
      undefined,
    );
    expectValidEvent(event);
    expect(event.headers['x-forwarded-for']).toBe('10.0.0.1,10.0.0.2');
  });

  it('has no authorizer without claims', () => {
    const event = toApiGatewayEvent(request(), matched('GET', '/api/libraries/140429'), undefined);
    expectValidEvent(event);
    expect(event.requestContext).not.toHaveProperty('authorizer');
  });

  it('places claims where the JWT authorizer does, stringified as API Gateway does', () => {
    const event = toApiGatewayEvent(request(), matched('GET', '/api/libraries/140429'), claims);
    expectValidEvent(event);
    const placed = event.requestContext.authorizer?.jwt?.claims;
    expect(placed).toEqual({
      sub: '0f8fad5b-d9cb-469f-a165-70867728950e',
      'cognito:groups': '[library province]',
      'custom:libraryId': '140429',
      token_use: 'id',
      iss: 'https://local-idp.county-library-reports.invalid',
      aud: 'county-library-reports-web',
      exp: '1900000000',
      iat: '1899956800',
      email_verified: 'true',
      address: '{"locality":"武乡县"}',
    });
    for (const value of Object.values(placed ?? {})) expect(typeof value).toBe('string');
    expect(event.requestContext.authorizer?.jwt?.scopes).toBeNull();
  });
});

describe('claimsAsApiGatewayPlacesThem', () => {
  it('writes an empty array as []', () => {
    expect(claimsAsApiGatewayPlacesThem({ 'cognito:groups': [] })).toEqual({
      'cognito:groups': '[]',
    });
  });
});

describe('matchRoute', () => {
  it('matches a static path and has no path parameters', () => {
    const match = matchRoute(routes, 'GET', '/api/health');
    expect(match?.route).toBe(healthRoute);
    expect(match?.pathParameters).toEqual({});
  });

  it('decodes path parameters', () => {
    const match = matchRoute(routes, 'GET', '/api/libraries/%E6%AD%A6');
    expect(match?.route).toBe(libraryRoute);
    expect(match?.pathParameters).toEqual({ libraryId: '武' });
    expect(matchRoute(routes, 'GET', '/api/libraries/a%20b')?.pathParameters).toEqual({
      libraryId: 'a b',
    });
  });

  it('matches several parameters', () => {
    expect(
      matchRoute(routes, 'PUT', '/api/libraries/140429/submissions/annual/2024-H1')?.pathParameters,
    ).toEqual({ libraryId: '140429', formId: 'annual', period: '2024-H1' });
  });

  it('returns undefined for a known path with the wrong method', () => {
    expect(matchRoute(routes, 'POST', '/api/health')).toBeUndefined();
    expect(matchRoute(routes, 'get', '/api/health')).toBeUndefined();
    expect(matchRoute(routes, 'DELETE', '/api/libraries/140429')).toBeUndefined();
  });

  it.each([
    '/api/nope',
    '/api/health/',
    '/api/healthz',
    '/prefix/api/health',
    '/api/libraries',
    '/api/libraries/',
    '/api/libraries/140429/extra',
    '/api/libraries//',
  ])('returns undefined for the unknown path %s', (path) => {
    expect(matchRoute(routes, 'GET', path)).toBeUndefined();
  });

  it.each(['/api/libraries/%E6%AD', '/api/libraries/%zz', '/api/libraries/%'])(
    'returns undefined for the malformed percent-encoding %s',
    (path) => {
      expect(matchRoute(routes, 'GET', path)).toBeUndefined();
    },
  );

  it('treats regex characters in a route path literally', () => {
    const dotted: RouteDefinition = {
      method: 'GET',
      path: '/api/files/report.csv',
      function: 'files',
      auth: 'public',
    };
    expect(matchRoute([dotted], 'GET', '/api/files/report.csv')?.route).toBe(dotted);
    expect(matchRoute([dotted], 'GET', '/api/files/reportXcsv')).toBeUndefined();
  });
});

describe('fromLambdaResult', () => {
  it('lowercases header names and stringifies values', () => {
    const response = fromLambdaResult({
      statusCode: 201,
      headers: { 'Content-Type': 'application/json', 'X-Count': 3, 'X-Flag': true },
      body: '{"ok":true}',
    });
    expect(response.statusCode).toBe(201);
    expect(response.headers).toEqual({
      'content-type': 'application/json',
      'x-count': '3',
      'x-flag': 'true',
    });
    expect(response.body.toString('utf8')).toBe('{"ok":true}');
  });

  it('turns cookies into set-cookie headers', () => {
    const response = fromLambdaResult({
      statusCode: 200,
      cookies: ['a=1; HttpOnly', 'b=2; Secure'],
      body: '',
    });
    expect(response.headers['set-cookie']).toEqual(['a=1; HttpOnly', 'b=2; Secure']);
  });

  it('adds no set-cookie header for an empty cookie list', () => {
    expect(fromLambdaResult({ statusCode: 204, cookies: [] }).headers).not.toHaveProperty(
      'set-cookie',
    );
  });

  it('decodes a base64 body', () => {
    const bytes = Buffer.from([0x00, 0xff, 0x10, 0x80]);
    const response = fromLambdaResult({
      statusCode: 200,
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes.toString('base64'),
      isBase64Encoded: true,
    });
    expect(response.body.equals(bytes)).toBe(true);
  });

  it('encodes a text body as UTF-8', () => {
    const response = fromLambdaResult({ statusCode: 200, body: '武乡县' });
    expect(response.body.equals(Buffer.from('武乡县', 'utf8'))).toBe(true);
  });

  it('defaults to 200 with an empty body and no headers', () => {
    const response = fromLambdaResult({});
    expect(response.statusCode).toBe(200);
    expect(response.headers).toEqual({});
    expect(response.body.byteLength).toBe(0);
  });
});

describe('createLambdaContext', () => {
  it('describes the function', () => {
    const context = createLambdaContext('list-libraries');
    expect(context.functionName).toBe('list-libraries');
    expect(context.invokedFunctionArn).toMatch(/:function:list-libraries$/);
    expect(context.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(createLambdaContext('list-libraries').awsRequestId).not.toBe(context.awsRequestId);
  });

  describe('remaining time', () => {
    beforeEach(() => {
      jest.useFakeTimers({ now: new Date('2026-03-01T00:00:00Z') });
    });
    afterEach(() => {
      jest.useRealTimers();
    });

    it('counts the remaining time down', () => {
      const context = createLambdaContext('health', 10_000);
      expect(context.getRemainingTimeInMillis()).toBe(10_000);
      jest.advanceTimersByTime(30);
      expect(context.getRemainingTimeInMillis()).toBe(9_970);
      jest.advanceTimersByTime(9_970);
      expect(context.getRemainingTimeInMillis()).toBe(0);
    });

    it('never reports negative remaining time', () => {
      const context = createLambdaContext('health', 5);
      jest.advanceTimersByTime(30);
      expect(context.getRemainingTimeInMillis()).toBe(0);
    });
  });
});
