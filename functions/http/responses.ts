import { STATUS_CODES } from 'node:http';
import type { AppError } from '../../domain/errors.js';
import type { ApiEvent, ApiResult } from './types.js';

const CORRELATION_ID_HEADER = 'x-correlation-id';
const SAFE_CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** A caller-supplied correlation id when it is safe to echo, else API Gateway's request id. */
export const correlationIdOf = (event: Pick<ApiEvent, 'headers' | 'requestContext'>): string => {
  const supplied = event.headers?.[CORRELATION_ID_HEADER];
  return supplied !== undefined && SAFE_CORRELATION_ID.test(supplied)
    ? supplied
    : event.requestContext.requestId;
};

export const json = (statusCode: number, body: unknown, correlationId: string): ApiResult => ({
  statusCode,
  headers: {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    [CORRELATION_ID_HEADER]: correlationId,
  },
  body: JSON.stringify(body),
});

const problem = (
  statusCode: number,
  body: Record<string, unknown>,
  correlationId: string,
): ApiResult => ({
  statusCode,
  headers: {
    'content-type': 'application/problem+json; charset=utf-8',
    'cache-control': 'no-store',
    [CORRELATION_ID_HEADER]: correlationId,
  },
  body: JSON.stringify({ ...body, status: statusCode, correlationId }),
});

/** RFC 9457 problem details for an error the caller may see, with zh/en messages. */
export const problemFromAppError = (error: AppError, correlationId: string): ApiResult =>
  problem(
    error.statusCode,
    {
      type: `/problems/${error.code}`,
      title: STATUS_CODES[error.statusCode] ?? 'Error',
      detail: error.detail.en,
      message: error.detail,
      ...(error.errors.length > 0 ? { errors: error.errors } : {}),
    },
    correlationId,
  );

/** The only thing a caller learns about an unexpected failure: that it happened, and its id. */
export const internalErrorProblem = (correlationId: string): ApiResult =>
  problem(
    500,
    {
      type: '/problems/internal-error',
      title: 'Internal error',
      detail: 'The request failed unexpectedly; quote the correlation id when reporting it.',
      message: {
        zh: '服务器内部错误，请稍后重试；如需报告问题，请提供请求编号。',
        en: 'The request failed unexpectedly; quote the correlation id when reporting it.',
      },
    },
    correlationId,
  );
