import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import { AppError, DependencyUnavailableError } from '../../domain/errors.js';
import { compression } from './compression.js';
import { logger } from './logger.js';
import { correlationIdOf, internalErrorProblem, problemFromAppError } from './responses.js';
import type { ApiEvent, ApiResult } from './types.js';

type HttpMiddleware = MiddlewareObj<ApiEvent, ApiResult, Error, Context>;

/** Tags every log line of the invocation with the request's correlation id. */
export const correlationIds = (): HttpMiddleware => ({
  before: (request) => {
    logger.appendKeys({ correlationId: correlationIdOf(request.event) });
  },
});

/**
 * Middy's own error when the function's time ran out before the handler answered (it answers
 * `timeoutEarlyInMillis` before Lambda would cut the invocation off).
 */
const isMiddyTimeout = (error: Error | null | undefined) =>
  error?.name === 'TimeoutError' &&
  (error.cause as { package?: unknown } | undefined)?.package === '@middy/core';

/**
 * Maps errors to problem+json in one place: an AppError is shown with its status and zh/en
 * message; running out of time is a retryable 503, as the time is mostly spent waiting on
 * storage under load; anything else is logged in full and answered with a bare 500 and the
 * correlation id.
 */
export const problemDetails = (): HttpMiddleware => ({
  onError: (request) => {
    const { error } = request;
    const correlationId = correlationIdOf(request.event);
    if (isMiddyTimeout(error)) {
      logger.error('Timed out', { error });
      request.response = problemFromAppError(
        new DependencyUnavailableError(
          {
            zh: '服务器繁忙，处理超时，请稍后重试。',
            en: 'The server was too busy to answer in time; retry shortly.',
          },
          { cause: error },
        ),
        correlationId,
      );
      return;
    }
    if (error instanceof AppError) {
      if (error.statusCode >= 500) logger.warn('Dependency failure', { error });
      request.response = problemFromAppError(error, correlationId);
      return;
    }
    logger.error('Unhandled error', { error: error ?? undefined });
    request.response = internalErrorProblem(correlationId);
  },
});

/**
 * The middleware every API function uses, in order: structured logs, correlation, compression,
 * errors. Middy runs `after` and `onError` in reverse, so compression sees the answer last,
 * problem+json included.
 */
export const apiMiddlewares = () => [
  injectLambdaContext(logger, { resetKeys: true }),
  correlationIds(),
  compression(),
  problemDetails(),
];
