import middy from '@middy/core';
import { requireEnv } from '../adapters/config.js';
import { lambdaClient } from '../adapters/lambda/client.js';
import { LambdaRollupLauncher } from '../adapters/lambda/rollup-launcher.js';
import { resourceEnv } from '../infra/resources.js';
import { apiMiddlewares } from './http/middlewares.js';
import { formPeriodOf } from './http/params.js';
import { principalOf } from './http/request.js';
import { correlationIdOf, json } from './http/responses.js';
import type { ApiEvent, ApiResult } from './http/types.js';
import { createRollupService } from './rollup-service.js';

const rollupService = createRollupService({
  clients: 'api',
  launcher: new LambdaRollupLauncher(lambdaClient, requireEnv(resourceEnv.rollupFunction)),
});

/**
 * Starts a rollup of one form and period now: the run is recorded as `queued` and the worker
 * invoked asynchronously; the answer (202) names the run, whose progress `GET` shows.
 */
export const startRollup = async (event: ApiEvent): Promise<ApiResult> => {
  const { formId, period } = formPeriodOf(event);
  const run = await rollupService.start(principalOf(event), formId, period);
  const result = json(202, run, correlationIdOf(event));
  return {
    ...result,
    headers: {
      ...result.headers,
      location: `/api/rollups/${encodeURIComponent(formId)}/${encodeURIComponent(period)}`,
    },
  };
};

export const handler = middy(startRollup).use(apiMiddlewares());
