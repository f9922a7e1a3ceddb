/**
 * Turns a plain HTTP request into the event API Gateway's HTTP API (payload format 2.0) would
 * hand a Lambda function, and a function's result back into an HTTP response.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Context } from 'aws-lambda';
import type { JWTPayload } from 'jose';
import { escapeRegExp } from '../domain/regexp.js';
import type { ApiEvent, ApiResult } from '../functions/http/types.js';
import type { RouteDefinition } from '../functions/routes.js';

export interface PlainRequest {
  method: string;
  /** Path and query exactly as received, e.g. `/api/libraries?x=1`. */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  sourceIp: string;
}

export interface RouteMatch<Route extends RouteDefinition> {
  route: Route;
  pathParameters: Record<string, string>;
}

const compiledPaths = new Map<string, RegExp>();

const pathPattern = (path: string): RegExp => {
  let pattern = compiledPaths.get(path);
  if (!pattern) {
    const source = path
      .split('/')
      .map((segment) =>
        /^\{\w+\}$/.test(segment) ? `(?<${segment.slice(1, -1)}>[^/]+)` : escapeRegExp(segment),
      )
      .join('/');
    pattern = new RegExp(`^${source}$`);
    compiledPaths.set(path, pattern);
  }
  return pattern;
};

/** Finds the route for a method and raw path; path parameters are URL-decoded as AWS does. */
export const matchRoute = <Route extends RouteDefinition>(
  routes: readonly Route[],
  method: string,
  rawPath: string,
): RouteMatch<Route> | undefined => {
  for (const route of routes) {
    if (route.method !== method) continue;
    const found = pathPattern(route.path).exec(rawPath);
    if (!found) continue;
    const pathParameters: Record<string, string> = {};
    for (const [name, value] of Object.entries(found.groups ?? {})) {
      try {
        pathParameters[name] = decodeURIComponent(value);
      } catch {
        return undefined;
      }
    }
    return { route, pathParameters };
  }
  return undefined;
};

/** API Gateway stringifies every claim; arrays become `[a b]`, numbers their decimal text. */
export const claimsAsApiGatewayPlacesThem = (payload: JWTPayload): Record<string, string> =>
  Object.fromEntries(
    Object.entries(payload).map(([name, value]) => [
      name,
      Array.isArray(value)
        ? `[${value.join(' ')}]`
        : typeof value === 'object' && value !== null
          ? JSON.stringify(value)
          : String(value),
    ]),
  );

const TEXT_CONTENT_TYPE =
  /^(text\/|application\/(json|([\w.-]+\+json)|xml|([\w.-]+\+xml)|javascript|x-www-form-urlencoded))/i;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (value: number) => String(value).padStart(2, '0');
/** The CLF-style request time API Gateway writes, e.g. `12/Mar/2020:19:03:58 +0000`. */
const requestTime = (date: Date) =>
  `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
  `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;

const joinHeaderValue = (value: string | string[] | undefined) =>
  Array.isArray(value) ? value.join(',') : value;

export const toApiGatewayEvent = (
  request: PlainRequest,
  match: RouteMatch<RouteDefinition>,
  claims: JWTPayload | undefined,
  now = new Date(),
): ApiEvent => {
  const queryStart = request.url.indexOf('?');
  const rawPath = queryStart === -1 ? request.url : request.url.slice(0, queryStart);
  const rawQueryString = queryStart === -1 ? '' : request.url.slice(queryStart + 1);

  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    const joined = joinHeaderValue(value);
    if (joined !== undefined && name !== 'cookie') headers[name] = joined;
  }
  const cookies = request.headers.cookie?.split(/;\s*/).filter(Boolean);

  const queryStringParameters: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    const previous = queryStringParameters[name];
    queryStringParameters[name] = previous === undefined ? value : `${previous},${value}`;
  }

  const isText = TEXT_CONTENT_TYPE.test(headers['content-type'] ?? '');
  const hasBody = request.body.byteLength > 0;
  const routeKey = `${match.route.method} ${match.route.path}`;
  const requestId = randomUUID();

  return {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString,
    ...(cookies && cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(Object.keys(queryStringParameters).length > 0 ? { queryStringParameters } : {}),
    ...(Object.keys(match.pathParameters).length > 0
      ? { pathParameters: match.pathParameters }
      : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      ...(claims
        ? {
            authorizer: {
              jwt: { claims: claimsAsApiGatewayPlacesThem(claims), scopes: null },
              principalId: '',
              integrationLatency: 0,
            },
          }
        : {}),
      domainName: headers.host ?? '127.0.0.1',
      domainPrefix: (headers.host ?? '127').split('.')[0] ?? '127',
      http: {
        method: request.method,
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey,
      stage: '$default',
      time: requestTime(now),
      timeEpoch: now.getTime(),
    },
    ...(hasBody
      ? {
          body: request.body.toString(isText ? 'utf8' : 'base64'),
          isBase64Encoded: !isText,
        }
      : { isBase64Encoded: false }),
  } as ApiEvent;
};

/** A Lambda context good enough for Powertools and middy (remaining time counts down). */
export const createLambdaContext = (functionName: string, timeoutMs = 29_000): Context => {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
};

export interface PlainResponse {
  statusCode: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

/** What API Gateway sends back for a structured payload-2.0 result. */
export const fromLambdaResult = (result: ApiResult): PlainResponse => {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) {
    headers[name.toLowerCase()] = String(value);
  }
  if (result.cookies && result.cookies.length > 0) headers['set-cookie'] = result.cookies;
  const body = Buffer.from(result.body ?? '', result.isBase64Encoded ? 'base64' : 'utf8');
  return { statusCode: result.statusCode ?? 200, headers, body };
};
