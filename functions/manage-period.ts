import middy from '@middy/core';
import * as z from 'zod/mini';
import { apiMiddlewares } from './http/middlewares.js';
import { formPeriodOf } from './http/params.js';
import { principalOf, readJsonBody } from './http/request.js';
import { correlationIdOf, json } from './http/responses.js';
import type { ApiEvent, ApiResult } from './http/types.js';
import { periodService } from './period-service.js';

/** Administrators: set a period's window (PUT) or let one library write after the lock (POST). */
export const managePeriod = async (event: ApiEvent): Promise<ApiResult> => {
  const principal = principalOf(event);
  const { formId, period } = formPeriodOf(event);
  const correlationId = correlationIdOf(event);
  // The window's and the exception's schemas are applied by the service, after its role check:
  // a library gets 403 for any body.
  const body = readJsonBody(event, z.unknown());
  if (event.requestContext.http.method === 'PUT') {
    return json(200, await periodService.update(principal, formId, period, body), correlationId);
  }
  return json(
    201,
    await periodService.addException(principal, formId, period, body),
    correlationId,
  );
};

export const handler = middy(managePeriod).use(apiMiddlewares());
