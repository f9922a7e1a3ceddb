import middy from '@middy/core';
import { apiMiddlewares } from './http/middlewares.js';
import { formPeriodOf } from './http/params.js';
import { principalOf } from './http/request.js';
import { correlationIdOf, json } from './http/responses.js';
import type { ApiEvent, ApiResult } from './http/types.js';
import { periodService } from './period-service.js';

/** A period's window (opens, due, locks) and the exceptions the caller may see. */
export const getPeriod = async (event: ApiEvent): Promise<ApiResult> => {
  const { formId, period } = formPeriodOf(event);
  return json(
    200,
    await periodService.get(principalOf(event), formId, period),
    correlationIdOf(event),
  );
};

export const handler = middy(getPeriod).use(apiMiddlewares());
