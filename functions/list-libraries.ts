import middy from '@middy/core';
import { requireEnv } from '../adapters/config.js';
import { documentClient } from '../adapters/dynamodb/client.js';
import { DynamoDbLibraryStore } from '../adapters/dynamodb/library-store.js';
import { visibleLibraries } from '../domain/registry/library.js';
import { resourceEnv } from '../infra/resources.js';
import { apiMiddlewares } from './http/middlewares.js';
import { principalOf } from './http/request.js';
import { correlationIdOf, json } from './http/responses.js';
import type { ApiEvent, ApiResult } from './http/types.js';

const libraries = new DynamoDbLibraryStore(documentClient, requireEnv(resourceEnv.tableName));

/** The registry: province staff and administrators see every library, a library itself. */
export const listLibraries = async (event: ApiEvent): Promise<ApiResult> => {
  const principal = principalOf(event);
  const items = visibleLibraries(principal, await libraries.listLibraries());
  return json(200, { items }, correlationIdOf(event));
};

export const handler = middy(listLibraries).use(apiMiddlewares());
