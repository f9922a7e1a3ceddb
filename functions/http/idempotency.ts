/**
 * `Idempotency-Key` on writes, with Powertools idempotency and its records in the main table
 * (adapters/dynamodb/idempotency-store.ts): the same key and body get the first response again
 * (no second revision); the same key with another body gets 422; a retry while the first is
 * running gets 409.
 */

import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyPersistenceLayerError,
  IdempotencyValidationError,
} from '@aws-lambda-powertools/idempotency';
import { makeHandlerIdempotent } from '@aws-lambda-powertools/idempotency/middleware';
import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import { requireEnv } from '../../adapters/config.js';
import { documentClient } from '../../adapters/dynamodb/client.js';
import { DynamoDbIdempotencyStore } from '../../adapters/dynamodb/idempotency-store.js';
import {
  ConflictError,
  DependencyUnavailableError,
  UnprocessableError,
} from '../../domain/errors.js';
import { mainTable, resourceEnv } from '../../infra/resources.js';
import { compressResponse } from './compression.js';
import { IDEMPOTENCY_CONFIG_OPTIONS } from './idempotency-settings.js';
import type { ApiEvent, ApiResult } from './types.js';

type HttpMiddleware = MiddlewareObj<ApiEvent, ApiResult, Error, Context>;

// The API's client: its short timeouts answer 503 instead of hanging when the table does.
const persistenceStore = new DynamoDbIdempotencyStore(documentClient, {
  tableName: requireEnv(resourceEnv.tableName),
  keyAttr: mainTable.partitionKey.name,
  sortKeyAttr: mainTable.sortKey.name,
  expiryAttr: mainTable.timeToLiveAttribute,
});

const config = new IdempotencyConfig({
  ...IDEMPOTENCY_CONFIG_OPTIONS,
  responseHook: (response) => {
    const result = response as ApiResult;
    return { ...result, headers: { ...result.headers, 'idempotent-replayed': 'true' } };
  },
});

/** Turns the utility's errors into problems the caller can act on. */
const idempotencyErrors = (): HttpMiddleware => ({
  onError: (request) => {
    const { error } = request;
    if (error instanceof IdempotencyValidationError) {
      request.error = new UnprocessableError(
        {
          zh: '同一个 Idempotency-Key 已用于内容不同的请求，请换一个新的键。',
          en: 'This Idempotency-Key was used with a different request body; use a new key.',
        },
        {
          cause: error,
          errors: [
            {
              path: 'Idempotency-Key',
              code: 'key_reused',
              message: { zh: '键已被使用', en: 'key already used' },
            },
          ],
        },
      );
    } else if (error instanceof IdempotencyAlreadyInProgressError) {
      request.error = new ConflictError(
        {
          zh: '相同的请求正在处理中，请稍后重试。',
          en: 'The same request is still being processed; retry shortly.',
        },
        { cause: error },
      );
    } else if (error instanceof IdempotencyPersistenceLayerError) {
      request.error = new DependencyUnavailableError(
        {
          zh: '数据服务暂时不可用，请稍后重试。',
          en: 'Storage is temporarily unavailable; retry later.',
        },
        { cause: error },
      );
    }
  },
});

/**
 * A replay is an early response from the utility's `before`: middy then skips every `after`,
 * compression's included, so the stored (uncompressed) answer is compressed here, for the
 * Accept-Encoding of the request being answered.
 */
const replaysCompressed = (middleware: HttpMiddleware): HttpMiddleware => ({
  ...middleware,
  before: async (request) => {
    const replay = await middleware.before?.(request);
    if (replay) compressResponse(request.event, replay);
    return replay;
  },
});

/**
 * The utility (2.35) runs its own onError also when its `before` refused the request (a key
 * reused with another body, or one still in progress), and deletes the record it refused on:
 * the stored first response, or the lock of the request still running, which a repeat would
 * then process again (aws-powertools/powertools-lambda-typescript#5675). Its onError is for a
 * handler that failed after `before` took the request, and runs only then.
 */
const refusalsKeepTheirRecord = (middleware: HttpMiddleware): HttpMiddleware => {
  const refused = new WeakSet<object>();
  return {
    ...middleware,
    before: async (request) => {
      try {
        return await middleware.before?.(request);
      } catch (error) {
        refused.add(request);
        throw error;
      }
    },
    onError: async (request) => {
      if (!refused.has(request)) return middleware.onError?.(request);
    },
  };
};

/** Use after apiMiddlewares(): innermost, so only the handler's own responses are stored. */
export const idempotency = () => [
  idempotencyErrors(),
  replaysCompressed(
    refusalsKeepTheirRecord(makeHandlerIdempotent({ persistenceStore, config }) as HttpMiddleware),
  ),
];
