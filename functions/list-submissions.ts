import middy from '@middy/core';
import { apiMiddlewares } from './http/middlewares.js';
import { formPeriodOf, pageOf } from './http/params.js';
import { principalOf } from './http/request.js';
import { correlationIdOf, json } from './http/responses.js';
import type { ApiEvent, ApiResult } from './http/types.js';
import { submissionService } from './submission-services.js';

const DEFAULT_PAGE = 50;

/** Every report of a form and period for the province, by library, with a cursor. */
export const listSubmissions = async (event: ApiEvent): Promise<ApiResult> => {
  const principal = principalOf(event);
  const { formId, period } = formPeriodOf(event);
  const page = await submissionService.list(principal, formId, period, pageOf(event, DEFAULT_PAGE));
  return json(200, page, correlationIdOf(event));
};

export const handler = middy(listSubmissions).use(apiMiddlewares());
