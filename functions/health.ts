import middy from '@middy/core';
import { requireEnv } from '../adapters/config.js';
import { documentClient } from '../adapters/dynamodb/client.js';
import { DynamoDbReadinessProbe } from '../adapters/dynamodb/readiness.js';
import { DependencyUnavailableError } from '../domain/errors.js';
import { resourceEnv } from '../infra/resources.js';
import { apiMiddlewares } from './http/middlewares.js';
import { correlationIdOf, json } from './http/responses.js';
import type { ApiEvent, ApiResult } from './http/types.js';

const probe = new DynamoDbReadinessProbe(documentClient, requireEnv(resourceEnv.tableName));

/** Readiness: `{"status":"ok"}` only when the table answers; 503 otherwise. */
export const health = async (event: ApiEvent): Promise<ApiResult> => {
  try {
    await probe.checkReady();
  } catch (cause) {
    throw new DependencyUnavailableError(
      { zh: '服务尚未就绪。', en: 'The service is not ready.' },
      { cause },
    );
  }
  return json(200, { status: 'ok' }, correlationIdOf(event));
};

export const handler = middy(health).use(apiMiddlewares());
