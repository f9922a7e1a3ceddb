import middy from '@middy/core';
import { authorize } from '../domain/auth/policy.js';
import { apiMiddlewares } from './http/middlewares.js';
import { formPeriodOf } from './http/params.js';
import { principalOf } from './http/request.js';
import { correlationIdOf, json } from './http/responses.js';
import type { ApiEvent, ApiResult } from './http/types.js';
import { createRollupService } from './rollup-service.js';

const rollupService = createRollupService({ clients: 'api' });

/**
 * `GET /api/rollups/{formId}/{period}`: the latest run (queued, running, succeeded or failed)
 * and the newest complete one's files with short-lived download links.
 * `GET …/files/{name}`: a redirect to a 5-minute link to that file of the newest complete run.
 */
export const getRollup = async (event: ApiEvent): Promise<ApiResult> => {
  const principal = principalOf(event);
  // A library is refused (403) whatever path it names, before the path is judged (400).
  authorize(principal, 'rollup:read');
  const { formId, period } = formPeriodOf(event);
  const correlationId = correlationIdOf(event);
  const name = event.pathParameters?.name;
  if (name === undefined) {
    return json(
      200,
      { formId, period, ...(await rollupService.status(principal, formId, period)) },
      correlationId,
    );
  }
  // Only the names a run writes (comparison.csv, summary.codes.csv, manifest.json …) exist.
  const url = await rollupService.fileUrl(principal, formId, period, name);
  return {
    statusCode: 302,
    headers: {
      location: url,
      // The link expires in minutes: neither browsers nor proxies may keep the redirect.
      'cache-control': 'no-store',
      'x-correlation-id': correlationId,
    },
  };
};

export const handler = middy(getRollup).use(apiMiddlewares());
