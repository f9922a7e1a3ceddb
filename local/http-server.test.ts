import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ApiEvent, ApiResult } from '../functions/http/types.js';
import { routes } from '../functions/routes.js';
import { type ApiHandler, createLocalServer, isLoopbackHost } from './http-server.js';
import {
  createTokenVerifier,
  jwks,
  loadOrCreateSigningKey,
  type SigningKey,
  signDevToken,
} from './jwt.js';
import { createLocalInvoker, functionNameOf, type LocalInvoker } from './lambda-invoke.js';

const INDEX_HTML = '<!doctype html><title>index page</title>';
const APP_JS = 'console.log("app");';
const SECRET = 'outside the web root';

let tempDir: string;
let webDir: string;
let key: SigningKey;
let forger: SigningKey;
const servers: Server[] = [];
const loadedEntries: string[] = [];

/** Stands in for every Lambda: answers with the event it received, or crashes on request. */
const echo: ApiHandler = async (event: ApiEvent): Promise<ApiResult> => {
  if (event.headers['x-test-crash'] !== undefined) throw new Error('crash at /opt/handler.js');
  return {
    statusCode: 200,
    headers: { 'Content-Type': 'application/json', 'X-Echo': 'yes' },
    body: JSON.stringify(event),
  };
};

const startServer = async (webRoot: string, lambda?: LocalInvoker): Promise<string> => {
  const server = createLocalServer({
    ...(lambda ? { lambda } : {}),
    routes,
    loadHandler: async (entry) => {
      loadedEntries.push(entry);
      return echo;
    },
    verifyToken: createTokenVerifier(key),
    signToken: (identity) => signDevToken(key, identity),
    jwks: jwks(key),
    isKnownLibrary: (libraryId) => libraryId === '140429',
    webRoot,
    webConfig: { auth: { kind: 'local', identities: [] } },
  });
  servers.push(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
};

let baseUrl: string;
/** The same web root with a trailing separator, the way local/stack.ts passes it. */
let trailingUrl: string;

beforeAll(async () => {
  tempDir = await mkdtemp(join(tmpdir(), 'http-server-test-'));
  webDir = join(tempDir, 'web');
  await mkdir(join(webDir, 'assets'), { recursive: true });
  await writeFile(join(webDir, 'index.html'), INDEX_HTML);
  await writeFile(join(webDir, 'app.js'), APP_JS);
  await writeFile(join(webDir, 'assets', 'style.css'), 'body{}');
  await writeFile(join(tempDir, 'secret.txt'), SECRET);
  await writeFile(join(tempDir, 'secret'), SECRET);
  key = await loadOrCreateSigningKey(join(tempDir, 'data'));
  forger = await loadOrCreateSigningKey(join(tempDir, 'forger'));
  baseUrl = await startServer(webDir);
  trailingUrl = await startServer(`${webDir}${sep}`);
});

afterAll(async () => {
  await Promise.all(
    servers.map(
      (server) =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    ),
  );
  await rm(tempDir, { recursive: true, force: true });
});

interface Problem {
  type?: unknown;
  status?: unknown;
  detail?: unknown;
  message?: { zh?: unknown; en?: unknown };
  errors?: { path?: unknown; code?: unknown }[];
  correlationId?: unknown;
}

const expectProblem = async (response: Response, status: number): Promise<Problem> => {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const body = (await response.json()) as Problem;
  expect(body.status).toBe(status);
  expect(typeof body.message?.zh).toBe('string');
  expect(typeof body.message?.en).toBe('string');
  expect(typeof body.correlationId).toBe('string');
  return body;
};

const echoedEvent = async (response: Response): Promise<ApiEvent> => {
  expect(response.status).toBe(200);
  expect(response.headers.get('x-echo')).toBe('yes');
  return (await response.json()) as ApiEvent;
};

/** Sends the path exactly as given (fetch would normalise `..` and `%2e%2e` first). */
const rawGet = (base: string, path: string) =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    const { hostname, port } = new URL(base);
    const outgoing = httpRequest({ hostname, port, path, method: 'GET' }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () =>
        resolve({ status: incoming.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      incoming.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end();
  });

/** Sends a request with the Host header given, as a page reached by DNS rebinding would. */
const requestWithHost = (
  base: string,
  host: string,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
) =>
  new Promise<{ status: number; headers: IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const { hostname, port } = new URL(base);
    const outgoing = httpRequest(
      {
        hostname,
        port,
        path,
        method: init.method ?? 'GET',
        headers: { ...init.headers, host },
      },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () =>
          resolve({
            status: incoming.statusCode ?? 0,
            headers: incoming.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        incoming.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(init.body);
  });

describe('Host header (DNS rebinding)', () => {
  it.each([
    ['127.0.0.1:3000', 3000],
    ['localhost:3000', 3000],
    ['LocalHost:3000', 3000],
    ['[::1]:3000', 3000],
    ['127.0.0.1', 80],
    ['localhost', 80],
  ])('accepts %s on port %i', (host, port) => {
    expect(isLoopbackHost(host, port)).toBe(true);
  });

  it.each([
    ['rebound.example:3000', 3000],
    ['rebound.example', 80],
    ['127.0.0.1.rebound.example:3000', 3000],
    ['localhost.rebound.example:3000', 3000],
    ['127.0.0.1:3001', 3000],
    ['localhost:30000', 3000],
    ['127.0.0.1', 3000],
    ['[::1]', 3000],
    ['0.0.0.0:3000', 3000],
    ['127.0.0.2:3000', 3000],
    ['127.0.0.1:3000 ', 3000],
    ['', 3000],
  ])('refuses %j on port %i', (host, port) => {
    expect(isLoopbackHost(host, port)).toBe(false);
  });

  it('refuses no Host at all, or an unknown port', () => {
    expect(isLoopbackHost(undefined, 3000)).toBe(false);
    expect(isLoopbackHost('127.0.0.1:3000', undefined)).toBe(false);
  });

  it('answers a foreign Host with 421 and no token from /dev-login', async () => {
    const { port } = new URL(baseUrl);
    const response = await requestWithHost(
      baseUrl,
      `rebound.example:${port}`,
      '/dev-login?role=admin',
    );
    expect(response.status).toBe(421);
    expect(response.headers.location).toBeUndefined();
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    expect(response.body).toContain('Misdirected request');
    expect(response.body).not.toContain('id_token');
  });

  it('answers a foreign Host with 421 before any API handler runs', async () => {
    const { port } = new URL(baseUrl);
    loadedEntries.length = 0;
    const response = await requestWithHost(baseUrl, `rebound.example:${port}`, '/api/health');
    expect(response.status).toBe(421);
    expect(loadedEntries).toEqual([]);
  });

  it('serves the loopback names with the server port', async () => {
    const { port } = new URL(baseUrl);
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]) {
      const login = await requestWithHost(baseUrl, host, '/dev-login?role=province');
      expect(login.status).toBe(302);
      expect(login.headers.location).toMatch(/^\/#id_token=/);
      expect((await requestWithHost(baseUrl, host, '/')).body).toBe(INDEX_HTML);
    }
  });
});

describe('API routes', () => {
  it('passes GET /api/health to its handler without a token', async () => {
    const event = await echoedEvent(await fetch(`${baseUrl}/api/health`));
    expect(event.routeKey).toBe('GET /api/health');
    expect(event.rawPath).toBe('/api/health');
    expect(event.requestContext.http.method).toBe('GET');
    expect(event.requestContext).not.toHaveProperty('authorizer');
    expect(loadedEntries).toContain('health');
  });

  it('passes the query string and headers through', async () => {
    const event = await echoedEvent(
      await fetch(`${baseUrl}/api/health?a=1&a=2&b=%E6%AD%A6`, {
        headers: { 'x-correlation-id': 'trace-1', cookie: 'k=v' },
      }),
    );
    expect(event.rawQueryString).toBe('a=1&a=2&b=%E6%AD%A6');
    expect(event.queryStringParameters).toEqual({ a: '1,2', b: '武' });
    expect(event.headers['x-correlation-id']).toBe('trace-1');
    expect(event.cookies).toEqual(['k=v']);
    expect(event.headers).not.toHaveProperty('cookie');
  });

  it('refuses GET /api/libraries without a token, before any handler runs', async () => {
    const before = loadedEntries.length;
    const response = await fetch(`${baseUrl}/api/libraries`);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    const body = await expectProblem(response, 401);
    expect(body.type).toBe('/problems/unauthorized');
    expect(loadedEntries.length).toBe(before);
  });

  it('hands the verified claims to the handler as the JWT authorizer would', async () => {
    const token = await signDevToken(key, { role: 'province' });
    const event = await echoedEvent(
      await fetch(`${baseUrl}/api/libraries`, { headers: { authorization: `Bearer ${token}` } }),
    );
    expect(event.routeKey).toBe('GET /api/libraries');
    const claims = event.requestContext.authorizer?.jwt?.claims;
    expect(claims).toBeDefined();
    expect(claims?.['cognito:groups']).toBe('[province]');
    expect(typeof claims?.sub).toBe('string');
    expect(claims?.exp).toMatch(/^\d+$/);
  });

  it('gives a library token its library id claim', async () => {
    const token = await signDevToken(key, { role: 'library', libraryId: '140429' });
    const event = await echoedEvent(
      await fetch(`${baseUrl}/api/libraries`, { headers: { authorization: `bearer ${token}` } }),
    );
    expect(event.requestContext.authorizer?.jwt?.claims).toMatchObject({
      'cognito:groups': '[library]',
      'custom:libraryId': '140429',
    });
  });

  it('refuses a token signed by another key', async () => {
    const token = await signDevToken(forger, { role: 'admin' });
    const response = await fetch(`${baseUrl}/api/libraries`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    await expectProblem(response, 401);
  });

  it.each([
    ['another scheme', (token: string) => `Basic ${token}`],
    ['no scheme', (token: string) => token],
    ['two tokens', (token: string) => `Bearer ${token} ${token}`],
    ['an empty bearer', () => 'Bearer '],
  ])('refuses an authorization header with %s', async (_label, header) => {
    const token = await signDevToken(key, { role: 'admin' });
    const response = await fetch(`${baseUrl}/api/libraries`, {
      headers: { authorization: header(token) },
    });
    await expectProblem(response, 401);
  });

  it('answers an unknown API path with a 404 problem', async () => {
    const body = await expectProblem(await fetch(`${baseUrl}/api/nope`), 404);
    expect(body.type).toBe('/problems/not-found');
    await expectProblem(await fetch(`${baseUrl}/api`), 404);
  });

  it('answers a known path with the wrong method with a 404 problem', async () => {
    await expectProblem(await fetch(`${baseUrl}/api/health`, { method: 'POST', body: '{}' }), 404);
  });

  it('answers a crashed handler with a bare 500 that leaks nothing', async () => {
    const response = await fetch(`${baseUrl}/api/health`, { headers: { 'x-test-crash': '1' } });
    const body = await expectProblem(response, 500);
    expect(body.type).toBe('/problems/internal-error');
    expect(JSON.stringify(body)).not.toContain('/opt/handler.js');
  });
});

describe('local identity provider', () => {
  it('publishes one EC public key without its private part', async () => {
    const response = await fetch(`${baseUrl}/.well-known/jwks.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const set = (await response.json()) as { keys: Record<string, unknown>[] };
    expect(set.keys).toHaveLength(1);
    const [published] = set.keys;
    expect(published).toMatchObject({ kty: 'EC', crv: 'P-256', kid: key.kid, alg: 'ES256' });
    expect(published).not.toHaveProperty('d');
  });

  it('signs a library in through /dev-login with a redirect carrying a valid token', async () => {
    const response = await fetch(`${baseUrl}/dev-login?role=library&library=140429`, {
      redirect: 'manual',
    });
    expect(response.status).toBe(302);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const location = response.headers.get('location') ?? '';
    const found = /^\/#id_token=([\w-]+\.[\w-]+\.[\w-]+)$/.exec(location);
    expect(found).not.toBeNull();
    const token = found?.[1] ?? '';
    const claims = await createTokenVerifier(key)(token);
    expect(claims['cognito:groups']).toEqual(['library']);
    expect(claims['custom:libraryId']).toBe('140429');
  });

  it('signs province staff in without a library', async () => {
    const response = await fetch(`${baseUrl}/dev-login?role=province&library=999999`, {
      redirect: 'manual',
    });
    expect(response.status).toBe(302);
    const token = (response.headers.get('location') ?? '').replace('/#id_token=', '');
    const claims = await createTokenVerifier(key)(token);
    expect(claims['cognito:groups']).toEqual(['province']);
    expect(claims).not.toHaveProperty('custom:libraryId');
  });

  it.each([
    ['a library not in the registry', 'role=library&library=999999', 'library'],
    ['a library without a code', 'role=library', 'library'],
    ['a malformed library code', 'role=library&library=14042', 'library'],
    ['an unknown role', 'role=boss', 'role'],
    ['no role', '', 'role'],
  ])('refuses %s with a 400 naming the field', async (_label, query, field) => {
    const response = await fetch(`${baseUrl}/dev-login?${query}`, { redirect: 'manual' });
    expect(response.headers.get('location')).toBeNull();
    const body = await expectProblem(response, 400);
    expect(body.type).toBe('/problems/bad-request');
    expect(body.errors?.map((error) => error.path)).toEqual([field]);
  });
});

describe.each([
  ['a plain directory', () => baseUrl],
  ['a directory with a trailing separator (as local/stack.ts passes it)', () => trailingUrl],
])('static web app from %s', (_label, base) => {
  it('serves a JavaScript file with a JS content type', async () => {
    const response = await fetch(`${base()}/app.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await response.text()).toBe(APP_JS);
  });

  it('serves a file in a subdirectory', async () => {
    const response = await fetch(`${base()}/assets/style.css`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/css/);
  });

  it('lets browsers keep content-hashed assets and revalidate the shell', async () => {
    const asset = await fetch(`${base()}/assets/style.css`);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const shell = await fetch(`${base()}/libraries/140429`);
    expect(shell.headers.get('cache-control')).toBe('no-cache');
  });

  it('serves the web app its configuration', async () => {
    const response = await fetch(`${base()}/config.json`);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({ auth: { kind: 'local', identities: [] } });
  });

  it('serves index.html at the root', async () => {
    const response = await fetch(`${base()}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await response.text()).toBe(INDEX_HTML);
  });

  it('serves the app shell for a client-side route', async () => {
    const response = await fetch(`${base()}/libraries/140429/submissions/x`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await response.text()).toBe(INDEX_HTML);
  });

  it('answers a missing asset with 404', async () => {
    const response = await fetch(`${base()}/missing.js`);
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain('index page');
  });

  it('refuses to write', async () => {
    const response = await fetch(`${base()}/app.js`, { method: 'POST', body: 'x' });
    expect(response.status).toBe(405);
  });
});

describe('path traversal', () => {
  let passwd: string | undefined;

  beforeAll(async () => {
    passwd = await readFile('/etc/passwd', 'utf8').catch(() => undefined);
  });

  const expectSafe = (status: number, body: string) => {
    expect([404, 400, 200]).toContain(status);
    if (status === 200) expect(body).toBe(INDEX_HTML);
    expect(body).not.toContain(SECRET);
    if (passwd !== undefined) expect(body).not.toContain(passwd.split('\n')[0]);
    expect(body).not.toContain('root:');
  };

  it.each([
    '/..%2f..%2fetc/passwd',
    '/%2e%2e/%2e%2e/etc/passwd',
    '/..%2f..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd',
    '/..%2fsecret.txt',
    '/..%2fsecret',
    '/assets/..%2f..%2fsecret.txt',
  ])('never serves a file outside the web root via fetch: %s', async (path) => {
    for (const base of [baseUrl, trailingUrl]) {
      const response = await fetch(`${base}${path}`);
      expectSafe(response.status, await response.text());
    }
  });

  it.each([
    '/../../etc/passwd',
    '/..%2f..%2fetc/passwd',
    '/%2e%2e/%2e%2e/etc/passwd',
    '/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    '/..%5c..%5cetc%5cpasswd',
    '/..%2fsecret.txt',
    '/%2e%2e/secret.txt',
    '/%2e%2e%2fsecret',
  ])('never serves a file outside the web root via a raw request: %s', async (path) => {
    for (const base of [baseUrl, trailingUrl]) {
      const response = await rawGet(base, path);
      expectSafe(response.status, response.body);
    }
  });

  it('reads `//` and `//host/…` as paths of this server, and keeps serving', async () => {
    expect((await rawGet(baseUrl, '//')).status).toBe(200);
    // Not the API's /api/health: a client-side route of the app shell.
    expect((await rawGet(baseUrl, '//evil.example/api/health')).body).toBe(INDEX_HTML);
    expect((await rawGet(baseUrl, '/api/health')).status).toBe(200);
  });

  it('answers a malformed percent-encoding with 400', async () => {
    const response = await rawGet(baseUrl, '/%E0%A4%A');
    expect(response.status).toBe(400);
  });
});

describe('Lambda Invoke API', () => {
  const received: unknown[] = [];
  const failures: string[] = [];
  let release: () => void = () => undefined;
  let gate = Promise.resolve();
  let invoker: LocalInvoker;
  let client: LambdaClient;
  let lambdaUrl: string;

  beforeAll(async () => {
    invoker = createLocalInvoker({
      functions: [{ entry: 'run-rollup' }, { entry: 'crashing' }],
      loadHandler: async (entry) =>
        entry === 'crashing'
          ? async () => {
              throw new Error('boom');
            }
          : async (event) => {
              await gate;
              received.push(event);
              return { echoed: event };
            },
      reportFailure: (line) => failures.push(line),
    });
    lambdaUrl = await startServer(webDir, invoker);
    client = new LambdaClient({
      endpoint: lambdaUrl,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
  });
  afterAll(() => client.destroy());

  const invoke = (FunctionName: string, payload: unknown, InvocationType?: 'Event') =>
    client.send(
      new InvokeCommand({
        FunctionName,
        Payload: Buffer.from(JSON.stringify(payload)),
        ...(InvocationType ? { InvocationType } : {}),
      }),
    );

  it('answers an Event invocation with 202 at once and runs the function in the background', async () => {
    received.length = 0;
    gate = new Promise((resolve) => {
      release = resolve;
    });
    const result = await invoke('run-rollup', { formId: 'f', period: '2026', runId: 'r' }, 'Event');
    expect(result.StatusCode).toBe(202);
    expect(received).toEqual([]);
    release();
    await invoker.settle();
    expect(received).toEqual([{ formId: 'f', period: '2026', runId: 'r' }]);
  });

  it('runs a RequestResponse invocation and returns its result', async () => {
    gate = Promise.resolve();
    const result = await invoke('run-rollup', { scheduled: true });
    expect(result.StatusCode).toBe(200);
    expect(result.FunctionError).toBeUndefined();
    expect(JSON.parse(Buffer.from(result.Payload ?? []).toString('utf8'))).toEqual({
      echoed: { scheduled: true },
    });
  });

  it('reports a function error as Lambda does', async () => {
    const result = await invoke('crashing', {});
    expect(result.StatusCode).toBe(200);
    expect(result.FunctionError).toBe('Unhandled');
    expect(JSON.parse(Buffer.from(result.Payload ?? []).toString('utf8'))).toMatchObject({
      errorMessage: 'boom',
    });
  });

  it('reports a failed background invocation instead of losing it', async () => {
    failures.length = 0;
    expect((await invoke('crashing', {}, 'Event')).StatusCode).toBe(202);
    await invoker.settle();
    expect(failures).toEqual([expect.stringContaining('crashing failed')]);
    expect(failures[0]).toContain('boom');
  });

  it('accepts a function ARN with a qualifier', async () => {
    gate = Promise.resolve();
    const arn = 'arn:aws:lambda:us-east-1:123456789012:function:run-rollup:live';
    expect((await invoke(arn, { scheduled: true })).StatusCode).toBe(200);
    expect(functionNameOf('123456789012:function:run-rollup')).toBe('run-rollup');
    expect(functionNameOf('run-rollup')).toBe('run-rollup');
  });

  it('knows only the functions of the table', async () => {
    await expect(invoke('get-secrets', {}, 'Event')).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('refuses a request without an AWS signature, such as a browser form post', async () => {
    received.length = 0;
    const response = await fetch(`${lambdaUrl}/2015-03-31/functions/run-rollup/invocations`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', 'x-amz-invocation-type': 'Event' },
      body: '{"scheduled":true}',
    });
    expect(response.status).toBe(403);
    await invoker.settle();
    expect(received).toEqual([]);
  });

  it('refuses a signed invocation that names another host', async () => {
    received.length = 0;
    const { port } = new URL(lambdaUrl);
    const response = await requestWithHost(
      lambdaUrl,
      `rebound.example:${port}`,
      '/2015-03-31/functions/run-rollup/invocations',
      {
        method: 'POST',
        headers: {
          authorization: 'AWS4-HMAC-SHA256 Credential=x',
          'x-amz-invocation-type': 'Event',
        },
        body: '{"scheduled":true}',
      },
    );
    expect(response.status).toBe(421);
    await invoker.settle();
    expect(received).toEqual([]);
  });

  it('is not there when the server has no functions to invoke', async () => {
    const response = await fetch(`${baseUrl}/2015-03-31/functions/run-rollup/invocations`, {
      method: 'POST',
      headers: { authorization: 'AWS4-HMAC-SHA256 Credential=x' },
      body: '{}',
    });
    expect(response.status).not.toBe(202);
    expect(response.status).not.toBe(200);
  });
});
