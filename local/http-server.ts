/**
 * The local stand-in for API Gateway and CloudFront: `/api/*` goes through the route table to
 * the real Lambda handlers as payload-2.0 events (after the JWT check the authorizer would
 * make); everything else is the static web app with a fallback to index.html. It also answers
 * Lambda's Invoke API (`POST /2015-03-31/functions/{name}/invocations`) for the functions of
 * the table, so that a function invoking another uses the very SDK call it makes in AWS.
 */
import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { Context } from 'aws-lambda';
import type { JWTPayload } from 'jose';
import { LibraryId, Role } from '../domain/auth/principal.js';
import {
  type AppError,
  BadRequestError,
  NotFoundError,
  PayloadTooLargeError,
  UnauthorizedError,
} from '../domain/errors.js';
import { internalErrorProblem, problemFromAppError } from '../functions/http/responses.js';
import type { ApiEvent, ApiResult } from '../functions/http/types.js';
import type { RouteDefinition } from '../functions/routes.js';
import {
  createLambdaContext,
  fromLambdaResult,
  matchRoute,
  type PlainResponse,
  toApiGatewayEvent,
} from './api-gateway-event.js';
import { functionNameOf, type LocalInvoker } from './lambda-invoke.js';

/** API Gateway's own hard limit on a request payload. */
const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

export type ApiHandler = (event: ApiEvent, context: Context) => Promise<ApiResult>;

export interface LocalServerOptions {
  routes: readonly RouteDefinition[];
  loadHandler: (entry: string) => Promise<ApiHandler>;
  verifyToken: (token: string) => Promise<JWTPayload>;
  signToken: (identity: { role: Role; libraryId?: string }) => Promise<string>;
  jwks: unknown;
  isKnownLibrary: (libraryId: string) => boolean;
  webRoot: string;
  /** What the web app reads from /config.json: here, local sign-in and its identities. */
  webConfig: unknown;
  /** Answers the Lambda Invoke API with these functions; without it, that API is a 404. */
  lambda?: LocalInvoker;
  /**
   * How long a function may run: its Lambda timeout, which middy's early-timeout answer and
   * the SDK budgets are held to. API Gateway's 29 s when not given.
   */
  timeoutMsOf?: (entry: string) => number;
  log?: (line: string) => void;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/** Content-hashed build output never changes under its name; everything else is revalidated. */
const cacheControlOf = (relativePath: string) =>
  relativePath.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';

class RequestTooLargeError extends Error {}

const readBody = async (
  request: IncomingMessage,
  maxBytes = MAX_REQUEST_BYTES,
): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).byteLength;
    // Past the limit the rest is read and dropped, not left unread: a body left half-read
    // wedges the keep-alive connection, and the next request on it is never answered.
    if (size <= maxBytes) chunks.push(chunk as Buffer);
  }
  if (size > maxBytes) throw new RequestTooLargeError();
  return Buffer.concat(chunks);
};

const send = (response: ServerResponse, plain: PlainResponse) => {
  response.writeHead(plain.statusCode, {
    ...plain.headers,
    'content-length': plain.body.byteLength,
  });
  response.end(plain.body);
};

const sendProblem = (response: ServerResponse, error: AppError) =>
  send(response, fromLambdaResult(problemFromAppError(error, crypto.randomUUID())));

const bearerToken = (request: IncomingMessage): string | undefined => {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  return match?.[1];
};

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;
/** Lambda's payload limits: 256 KB for an asynchronous event, 6 MB for a synchronous call. */
const MAX_EVENT_PAYLOAD_BYTES = 256 * 1024;
const MAX_SYNC_PAYLOAD_BYTES = 6 * 1024 * 1024;

/** An error of the Lambda API as the SDK parses it (error type header, message in the body). */
const sendLambdaError = (
  response: ServerResponse,
  statusCode: number,
  type: string,
  message: string,
) =>
  send(response, {
    statusCode,
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': type },
    body: Buffer.from(JSON.stringify({ Type: 'User', message })),
  });

/**
 * Whether a request's Host names this server by a loopback address and its own port. A page
 * whose own name was rebound to 127.0.0.1 (DNS rebinding) sends that name instead, and would
 * otherwise be same-origin with /dev-login and the Invoke API. No port is only right for 80.
 */
export const isLoopbackHost = (host: string | undefined, port: number | undefined): boolean => {
  const match = /^(?:127\.0\.0\.1|localhost|\[::1\])(?::(\d+))?$/i.exec(host ?? '');
  if (!match || port === undefined) return false;
  return (match[1] ?? '80') === String(port);
};

/**
 * The request target as a URL on this server: `//x` is a path here, not another host (as
 * `new URL('//x', base)` would read it, and `//` alone would throw); undefined when it is not
 * a path at all (`*`, an absolute URL to elsewhere that does not parse).
 */
const requestUrl = (target = '/'): URL | undefined => {
  try {
    return new URL(target.startsWith('/') ? `http://127.0.0.1${target}` : target);
  } catch {
    return undefined;
  }
};

const MISDIRECTED = Buffer.from(
  '421 此地址只接受 127.0.0.1、localhost 或 [::1] 加本服务端口。\n' +
    "Misdirected request: use 127.0.0.1, localhost or [::1] with this server's port.\n",
);

export const createLocalServer = (options: LocalServerOptions): Server => {
  const log = options.log ?? (() => undefined);
  // resolve() drops a trailing separator, which would otherwise fail the `inside` check below.
  const webRoot = resolve(options.webRoot);

  const handleApi = async (request: IncomingMessage, response: ServerResponse, url: URL) => {
    const method = request.method ?? 'GET';
    const match = matchRoute(options.routes, method, url.pathname);
    if (!match) {
      return sendProblem(
        response,
        new NotFoundError({ zh: '没有这个接口。', en: `No route for ${method} ${url.pathname}.` }),
      );
    }
    let claims: JWTPayload | undefined;
    if (match.route.auth === 'jwt') {
      const token = bearerToken(request);
      try {
        if (token === undefined) throw new Error('missing bearer token');
        claims = await options.verifyToken(token);
      } catch {
        response.setHeader('www-authenticate', 'Bearer');
        return sendProblem(
          response,
          new UnauthorizedError({
            zh: '缺少或无效的登录凭证，请重新登录。',
            en: 'Missing or invalid token; sign in again.',
          }),
        );
      }
    }
    let body: Buffer;
    try {
      body = await readBody(request);
    } catch (error) {
      if (!(error instanceof RequestTooLargeError)) throw error;
      return sendProblem(
        response,
        new PayloadTooLargeError({ zh: '请求内容过大。', en: 'The request is too large.' }),
      );
    }
    const event = toApiGatewayEvent(
      {
        method,
        url: request.url ?? url.pathname,
        headers: request.headers,
        body,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
      },
      match,
      claims,
    );
    // Passed as text, a body that is not UTF-8 would reach the handler with U+FFFD in place of
    // its bad bytes, unnoticed: pass its exact bytes (base64), which the handler refuses (400).
    if (!event.isBase64Encoded && body.byteLength > 0 && !isUtf8(body)) {
      event.body = body.toString('base64');
      event.isBase64Encoded = true;
    }
    const handler = await options.loadHandler(match.route.function);
    try {
      send(
        response,
        fromLambdaResult(
          await handler(
            event,
            createLambdaContext(match.route.function, options.timeoutMsOf?.(match.route.function)),
          ),
        ),
      );
    } catch (error) {
      // A handler's middleware maps errors itself; reaching here means the function crashed,
      // which API Gateway would also answer with a bare 500.
      log(`handler ${match.route.function} crashed: ${String(error)}`);
      send(response, fromLambdaResult(internalErrorProblem(event.requestContext.requestId)));
    }
  };

  /** Lambda's Invoke API: `Event` answers 202 and runs in the background, like AWS. */
  const handleInvoke = async (
    request: IncomingMessage,
    response: ServerResponse,
    lambda: LocalInvoker,
    encodedName: string,
  ) => {
    if (request.method !== 'POST') {
      return sendLambdaError(response, 404, 'UnknownOperationException', 'Unknown operation');
    }
    // SigV4 is not verified here, but its presence keeps browsers out: a page cannot send an
    // Authorization header to this origin without a CORS preflight, which is never granted.
    if (!/^AWS4-HMAC-SHA256 /.test(request.headers.authorization ?? '')) {
      return sendLambdaError(
        response,
        403,
        'MissingAuthenticationTokenException',
        'Missing Authentication Token',
      );
    }
    let identifier: string;
    try {
      identifier = decodeURIComponent(encodedName);
    } catch {
      return sendLambdaError(response, 400, 'InvalidParameterValueException', 'Bad function name');
    }
    const functionName = functionNameOf(identifier);
    if (!lambda.has(functionName)) {
      return sendLambdaError(
        response,
        404,
        'ResourceNotFoundException',
        `Function not found: ${functionName}`,
      );
    }
    const invocationType = String(request.headers['x-amz-invocation-type'] ?? 'RequestResponse');
    if (!['Event', 'RequestResponse', 'DryRun'].includes(invocationType)) {
      return sendLambdaError(
        response,
        400,
        'InvalidParameterValueException',
        `Unsupported invocation type ${invocationType}`,
      );
    }
    let body: Buffer;
    try {
      body = await readBody(
        request,
        invocationType === 'Event' ? MAX_EVENT_PAYLOAD_BYTES : MAX_SYNC_PAYLOAD_BYTES,
      );
    } catch (error) {
      if (!(error instanceof RequestTooLargeError)) throw error;
      return sendLambdaError(response, 413, 'RequestTooLargeException', 'Request too large');
    }
    let payload: unknown = {};
    if (body.byteLength > 0) {
      try {
        payload = JSON.parse(body.toString('utf8'));
      } catch {
        return sendLambdaError(
          response,
          400,
          'InvalidRequestContentException',
          'Could not parse request body into json',
        );
      }
    }
    if (invocationType === 'DryRun') {
      response.writeHead(204).end();
      return;
    }
    if (invocationType === 'Event') {
      lambda.invokeAsync(functionName, payload);
      return send(response, { statusCode: 202, headers: {}, body: Buffer.alloc(0) });
    }
    const headers = { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' };
    try {
      const result = await lambda.invoke(functionName, payload);
      send(response, {
        statusCode: 200,
        headers,
        body: Buffer.from(JSON.stringify(result ?? null)),
      });
    } catch (error) {
      log(`function ${functionName} failed: ${String(error)}`);
      send(response, {
        statusCode: 200,
        headers: { ...headers, 'x-amz-function-error': 'Unhandled' },
        body: Buffer.from(
          JSON.stringify({
            errorType: error instanceof Error ? error.name : 'Error',
            errorMessage: error instanceof Error ? error.message : String(error),
            trace: [],
          }),
        ),
      });
    }
  };

  const handleDevLogin = async (response: ServerResponse, url: URL) => {
    const role = Role.safeParse(url.searchParams.get('role'));
    const libraryId = url.searchParams.get('library') ?? undefined;
    const errors = [];
    if (!role.success) {
      errors.push({
        path: 'role',
        code: 'invalid_value',
        message: {
          zh: '角色应为 library、province 或 admin',
          en: 'role must be library, province or admin',
        },
      });
    } else if (role.data === 'library') {
      if (
        !libraryId ||
        !LibraryId.safeParse(libraryId).success ||
        !options.isKnownLibrary(libraryId)
      ) {
        errors.push({
          path: 'library',
          code: 'invalid_value',
          message: {
            zh: '请提供名录中的 6 位馆代码',
            en: 'library must be a 6-digit code from the registry',
          },
        });
      }
    }
    if (!role.success || errors.length > 0) {
      return sendProblem(
        response,
        new BadRequestError(
          { zh: '登录参数有误。', en: 'Invalid sign-in parameters.' },
          { errors },
        ),
      );
    }
    const token = await options.signToken({
      role: role.data,
      ...(role.data === 'library' && libraryId ? { libraryId } : {}),
    });
    // The fragment never reaches a server or a log; the app moves it to storage and clears it.
    response.writeHead(302, { location: `/#id_token=${token}`, 'cache-control': 'no-store' });
    response.end();
  };

  const handleStatic = async (request: IncomingMessage, response: ServerResponse, url: URL) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    let relative: string;
    try {
      relative = decodeURIComponent(url.pathname);
    } catch {
      response.writeHead(400).end();
      return;
    }
    const candidate = normalize(join(webRoot, relative));
    const inside = candidate === webRoot || candidate.startsWith(webRoot + sep);
    let file = inside ? candidate : undefined;
    if (file) {
      const info = await stat(file).catch(() => undefined);
      if (info?.isDirectory()) file = join(file, 'index.html');
      else if (!info) file = undefined;
    }
    // Client-side routes (no file extension) get the app shell; missing assets a plain 404.
    if (!file && extname(relative) === '') file = join(webRoot, 'index.html');
    const info = file ? await stat(file).catch(() => undefined) : undefined;
    if (!file || !info?.isFile()) {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found');
      return;
    }
    response.writeHead(200, {
      'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': info.size,
      'cache-control': cacheControlOf(relative),
      'x-content-type-options': 'nosniff',
    });
    if (request.method === 'HEAD') response.end();
    else createReadStream(file).pipe(response);
  };

  const dispatch = (request: IncomingMessage, response: ServerResponse, url: URL) => {
    const invocation = options.lambda ? INVOKE_PATH.exec(url.pathname) : null;
    return url.pathname.startsWith('/api/') || url.pathname === '/api'
      ? handleApi(request, response, url)
      : invocation && options.lambda
        ? handleInvoke(request, response, options.lambda, invocation[1] ?? '')
        : url.pathname === '/.well-known/jwks.json'
          ? Promise.resolve(
              send(response, {
                statusCode: 200,
                headers: { 'content-type': 'application/json' },
                body: Buffer.from(JSON.stringify(options.jwks)),
              }),
            )
          : url.pathname === '/dev-login'
            ? handleDevLogin(response, url)
            : url.pathname === '/config.json'
              ? Promise.resolve(
                  send(response, {
                    statusCode: 200,
                    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
                    body: Buffer.from(JSON.stringify(options.webConfig)),
                  }),
                )
              : handleStatic(request, response, url);
  };

  return createServer((request, response) => {
    const started = Date.now();
    const url = requestUrl(request.url);
    if (url === undefined) {
      send(response, {
        statusCode: 400,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        body: Buffer.from('400 请求地址无效。Malformed request target.\n'),
      });
      return;
    }
    // Checked before anything else: the port is the one this connection actually reached.
    const route = isLoopbackHost(request.headers.host, request.socket.localPort)
      ? dispatch(request, response, url)
      : Promise.resolve(
          send(response, {
            statusCode: 421,
            headers: { 'content-type': 'text/plain; charset=utf-8', connection: 'close' },
            body: MISDIRECTED,
          }),
        );
    route
      .catch((error: unknown) => {
        log(`request failed: ${String(error)}`);
        if (!response.headersSent)
          send(response, fromLambdaResult(internalErrorProblem(crypto.randomUUID())));
        else response.destroy();
      })
      .finally(() =>
        log(`${request.method} ${url.pathname} ${response.statusCode} ${Date.now() - started}ms`),
      );
  });
};
