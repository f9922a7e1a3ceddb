import middy from '@middy/core';
import { requireEnv } from '../adapters/config.js';
import { documentClient } from '../adapters/dynamodb/client.js';
import { lambdaClient } from '../adapters/lambda/client.js';
import { LambdaRollupLauncher } from '../adapters/lambda/rollup-launcher.js';
import { authorize } from '../domain/auth/policy.js';
import type { ReportStorage } from '../domain/rollup/model.js';
import { RollupService } from '../domain/rollup/service.js';
import { resourceEnv } from '../infra/resources.js';
import { apiMiddlewares } from './http/middlewares.js';
import { formPeriodOf } from './http/params.js';
import { principalOf } from './http/request.js';
import { correlationIdOf, json } from './http/responses.js';
import type { ApiEvent, ApiResult } from './http/types.js';
import { rollupStores } from './rollup-stores.js';

/** Starting a run records it and invokes the worker; only the worker writes rollup files. */
const refuse = async (): Promise<never> => {
  throw new Error('start-rollup reads and writes no rollup files');
};
const noReportFiles: ReportStorage = { put: refuse, getText: refuse, presignDownload: refuse };

const rollupService = new RollupService({
  ...rollupStores(documentClient),
  reports: noReportFiles,
  launcher: new LambdaRollupLauncher(lambdaClient, requireEnv(resourceEnv.rollupFunction)),
});

/**
 * Starts a rollup of one form and period now: the run is recorded as `queued` and the worker
 * invoked asynchronously; the answer (202) names the run, whose progress `GET` shows.
 */
export const startRollup = async (event: ApiEvent): Promise<ApiResult> => {
  const principal = principalOf(event);
  // A library is refused (403) whatever path it names, before the path is judged (400).
  authorize(principal, 'rollup:run');
  const { formId, period } = formPeriodOf(event);
  const run = await rollupService.start(principal, formId, period);
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
