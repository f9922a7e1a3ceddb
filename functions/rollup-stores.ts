/**
 * What every rollup function reads and writes in the table, on a given client. Kept apart from
 * functions/rollup-service.ts (which adds the reports bucket) so that start-rollup, which
 * touches no rollup file, does not bundle or construct an S3 client.
 */
import { requireEnv } from '../adapters/config.js';
import type { DocumentClient } from '../adapters/dynamodb/client.js';
import { DynamoDbLibraryStore } from '../adapters/dynamodb/library-store.js';
import { DynamoDbPeriodStore } from '../adapters/dynamodb/period-store.js';
import { DynamoDbRollupRunStore } from '../adapters/dynamodb/rollup-run-store.js';
import { DynamoDbSubmissionStore } from '../adapters/dynamodb/submission-store.js';
import { formRegistry } from '../adapters/form-catalog.js';
import { PeriodService } from '../domain/periods/service.js';
import type { RollupServiceDeps } from '../domain/rollup/service.js';
import { resourceEnv } from '../infra/resources.js';
import { logger } from './http/logger.js';
import { type FunctionDefinition, functions } from './routes.js';

const tableName = requireEnv(resourceEnv.tableName);
const now = () => new Date();

const worker: FunctionDefinition | undefined = functions.find(
  (definition) => definition.entry === 'run-rollup',
);
if (!worker) throw new Error('No run-rollup function in functions/routes.ts');
/**
 * The worker's Lambda timeout (routes.ts's default when it names none): a run `running` for
 * longer was abandoned by its worker, and the next delivery of its event (or a new start) takes
 * it over.
 */
const WORKER_TIMEOUT_MS = (worker.timeoutSeconds ?? 10) * 1000;

export const rollupStores = (
  documents: DocumentClient,
): Omit<RollupServiceDeps, 'reports' | 'launcher'> => {
  const libraries = new DynamoDbLibraryStore(documents, tableName);
  return {
    runs: new DynamoDbRollupRunStore(documents, tableName),
    submissions: new DynamoDbSubmissionStore(documents, tableName),
    libraries,
    periods: new PeriodService({
      store: new DynamoDbPeriodStore(documents, tableName),
      forms: formRegistry,
      libraries,
      now,
    }),
    forms: formRegistry,
    now,
    log: logger,
    workerTimeoutMs: WORKER_TIMEOUT_MS,
  };
};
