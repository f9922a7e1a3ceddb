import middy from '@middy/core';
import { formRegistry } from '../adapters/form-catalog.js';
import { apiMiddlewares } from './http/middlewares.js';
import { principalOf } from './http/request.js';
import { correlationIdOf, json } from './http/responses.js';
import type { ApiEvent, ApiResult } from './http/types.js';

/** The active forms: id, version, title and period type. */
export const listForms = async (event: ApiEvent): Promise<ApiResult> => {
  principalOf(event);
  return json(200, { items: formRegistry.list() }, correlationIdOf(event));
};

export const handler = middy(listForms).use(apiMiddlewares());
