// The logger reads its level when its module loads, so set it before importing anything that
// creates it (the imports below that need it are dynamic for that reason).
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it, jest } from '@jest/globals';
import middy from '@middy/core';
import {
  BadRequestError,
  DependencyUnavailableError,
  ForbiddenError,
  NotFoundError,
} from '../../domain/errors.js';
import { createLambdaContext } from '../../local/api-gateway-event.js';
import { healthEvent } from '../../test/fixtures/health-event.js';
import type { ApiEvent, ApiResult } from './types.js';

const { correlationIds, problemDetails } = await import('./middlewares.js');
const { json, correlationIdOf } = await import('./responses.js');
const { logger } = await import('./logger.js');

type Handler = (event: ApiEvent) => Promise<ApiResult>;

const wrap = (fn: Handler) => middy(fn).use(correlationIds()).use(problemDetails());

const invoke = async (fn: Handler, headers: IncomingHttpHeaders = {}) => {
  const event = healthEvent(headers);
  const result = await wrap(fn)(event, createLambdaContext('test'));
  return { event, result };
};

interface ProblemBody {
  type?: unknown;
  title?: unknown;
  status?: unknown;
  detail?: unknown;
  message?: unknown;
  errors?: unknown;
  correlationId?: unknown;
  stack?: unknown;
}

const bodyOf = (result: ApiResult): ProblemBody => {
  expect(typeof result.body).toBe('string');
  return JSON.parse(result.body ?? '') as ProblemBody;
};

const fieldErrors = [
  {
    path: 'libraryId',
    code: 'not_yours',
    message: { zh: '只能查看本馆的报告', en: 'You may only read your own library' },
  },
];

const forbidden = async (): Promise<ApiResult> => {
  throw new ForbiddenError(
    { zh: '无权访问该图书馆。', en: 'Not your library.' },
    { errors: fieldErrors },
  );
};

describe('problemDetails', () => {
  it('passes a successful result through untouched', async () => {
    const { event, result } = await invoke(async (received) =>
      json(200, { status: 'ok' }, correlationIdOf(received)),
    );
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body ?? '')).toEqual({ status: 'ok' });
    expect(result.headers?.['x-correlation-id']).toBe(event.requestContext.requestId);
  });

  it('maps an AppError to its status as problem+json with zh/en messages and field errors', async () => {
    const { result } = await invoke(forbidden, { 'x-correlation-id': 'req-42.abc:def_1' });
    expect(result.statusCode).toBe(403);
    expect(result.headers?.['content-type']).toMatch(/^application\/problem\+json/);
    expect(result.headers?.['cache-control']).toBe('no-store');
    expect(result.headers?.['x-correlation-id']).toBe('req-42.abc:def_1');
    expect(bodyOf(result)).toEqual({
      type: '/problems/forbidden',
      title: 'Forbidden',
      status: 403,
      detail: 'Not your library.',
      message: { zh: '无权访问该图书馆。', en: 'Not your library.' },
      errors: fieldErrors,
      correlationId: 'req-42.abc:def_1',
    });
  });

  it('leaves errors out when an AppError has none', async () => {
    const { result } = await invoke(async () => {
      throw new NotFoundError({ zh: '没有找到。', en: 'Not found.' });
    });
    expect(result.statusCode).toBe(404);
    const body = bodyOf(result);
    expect(body.type).toBe('/problems/not-found');
    expect(body).not.toHaveProperty('errors');
  });

  it('maps a BadRequestError to 400', async () => {
    const { result } = await invoke(async () => {
      throw new BadRequestError({ zh: '请求有误。', en: 'Bad request.' });
    });
    expect(result.statusCode).toBe(400);
    expect(bodyOf(result).type).toBe('/problems/bad-request');
  });

  it('uses the request id when no correlation id is supplied', async () => {
    const { event, result } = await invoke(forbidden);
    expect(bodyOf(result).correlationId).toBe(event.requestContext.requestId);
    expect(result.headers?.['x-correlation-id']).toBe(event.requestContext.requestId);
  });

  it.each([
    ['spaces', 'abc def'],
    ['a newline', 'abc\nx-injected: 1'],
    ['markup', '<script>alert(1)</script>'],
    ['an empty value', ''],
    ['a value over 128 characters', 'a'.repeat(129)],
  ])('does not echo a correlation id with %s', async (_label, supplied) => {
    const { event, result } = await invoke(forbidden, { 'x-correlation-id': supplied });
    const body = bodyOf(result);
    expect(body.correlationId).toBe(event.requestContext.requestId);
    expect(result.headers?.['x-correlation-id']).toBe(event.requestContext.requestId);
    if (supplied !== '') expect(result.body).not.toContain(supplied);
  });

  it('echoes a correlation id of exactly 128 safe characters', async () => {
    const supplied = 'a'.repeat(128);
    const { result } = await invoke(forbidden, { 'x-correlation-id': supplied });
    expect(bodyOf(result).correlationId).toBe(supplied);
  });

  it('hides an unexpected error behind a generic 500 with the correlation id', async () => {
    const { event, result } = await invoke(async () => {
      throw new Error('secret internal detail at /opt/x.js');
    });
    expect(result.statusCode).toBe(500);
    expect(result.headers?.['content-type']).toMatch(/^application\/problem\+json/);
    const raw = result.body ?? '';
    expect(raw).not.toContain('secret');
    expect(raw).not.toContain('/opt/x.js');
    expect(raw).not.toContain('    at ');
    expect(raw).not.toContain('Error:');
    const body = bodyOf(result);
    expect(body).not.toHaveProperty('stack');
    expect(body).not.toHaveProperty('errors');
    expect(body.type).toBe('/problems/internal-error');
    expect(body.status).toBe(500);
    expect(body.correlationId).toBe(event.requestContext.requestId);
    expect(body.message).toEqual({
      zh: expect.stringContaining('请求编号'),
      en: expect.stringContaining('correlation id'),
    });
  });

  it('hides an AppError look-alike that is not an AppError', async () => {
    const { result } = await invoke(async () => {
      throw Object.assign(new Error('table county-library-reports not found'), {
        statusCode: 404,
        expose: true,
      });
    });
    expect(result.statusCode).toBe(500);
    expect(result.body).not.toContain('county-library-reports');
  });

  it('hides a thrown non-Error value', async () => {
    const { result } = await invoke(async () => {
      throw 'raw string with internals';
    });
    expect(result.statusCode).toBe(500);
    expect(result.body).not.toContain('internals');
  });

  it('maps DependencyUnavailableError to 503 without its cause', async () => {
    const { result } = await invoke(async () => {
      throw new DependencyUnavailableError(
        { zh: '服务暂不可用。', en: 'Service unavailable.' },
        { cause: new Error('ECONNREFUSED 127.0.0.1:8000') },
      );
    });
    expect(result.statusCode).toBe(503);
    const body = bodyOf(result);
    expect(body.type).toBe('/problems/dependency-unavailable');
    expect(body.title).toBe('Service Unavailable');
    expect(result.body).not.toContain('ECONNREFUSED');
  });
});

/** Runs `fn` with the logger at INFO and returns the JSON lines it wrote. */
const captureLogs = async (fn: () => Promise<unknown>): Promise<Record<string, unknown>[]> => {
  const lines: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
    lines.push(String(chunk));
    return true;
  });
  const writeError = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown) => {
    lines.push(String(chunk));
    return true;
  });
  logger.setLogLevel('INFO');
  try {
    await fn();
  } finally {
    logger.setLogLevel('SILENT');
    write.mockRestore();
    writeError.mockRestore();
  }
  return lines
    .flatMap((chunk) => chunk.split('\n'))
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
};

describe('correlationIds', () => {
  it('tags every log line of the invocation with the correlation id', async () => {
    const logs = await captureLogs(() =>
      invoke(
        async (event) => {
          logger.info('inside the handler');
          return json(200, {}, correlationIdOf(event));
        },
        { 'x-correlation-id': 'trace-7' },
      ),
    );
    const line = logs.find((entry) => entry.message === 'inside the handler');
    expect(line).toBeDefined();
    expect(line?.correlationId).toBe('trace-7');
  });

  it('logs an unexpected error in full, with the correlation id, while the caller sees none of it', async () => {
    let status: number | undefined;
    const logs = await captureLogs(async () => {
      const { result } = await invoke(
        async () => {
          throw new Error('secret internal detail at /opt/x.js');
        },
        { 'x-correlation-id': 'trace-8' },
      );
      status = result.statusCode;
    });
    expect(status).toBe(500);
    const line = logs.find((entry) => entry.message === 'Unhandled error');
    expect(line).toBeDefined();
    expect(line?.correlationId).toBe('trace-8');
    expect(JSON.stringify(line)).toContain('secret internal detail at /opt/x.js');
  });
});

describe('problemDetails when the time runs out', () => {
  it('answers a handler that ran out of time with a retryable 503, not a 500', async () => {
    const slow = middy(async () => {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      return json(200, {}, 'late');
    })
      .use(correlationIds())
      .use(problemDetails());
    const logs = await captureLogs(async () => {
      const result = (await slow(
        healthEvent({ 'x-correlation-id': 'trace-9' }),
        createLambdaContext('test', 100),
      )) as ApiResult;
      expect(result.statusCode).toBe(503);
      expect(JSON.parse(String(result.body))).toMatchObject({
        type: '/problems/dependency-unavailable',
        message: { zh: '服务器繁忙，处理超时，请稍后重试。' },
        correlationId: 'trace-9',
      });
    });
    expect(logs.map((entry) => [entry.level, entry.message])).toEqual([['ERROR', 'Timed out']]);
  });
});
