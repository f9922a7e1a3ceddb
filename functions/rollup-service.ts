/**
 * The rollup service wired to DynamoDB and the reports bucket, created once per execution
 * environment. The worker's clients retry adaptively with long timeouts: a run makes many
 * calls in a row and should slow down, not fail, while a table or the bucket throttles. The
 * API's routes (status, start, files) use the API clients instead, whose short timeouts answer
 * a 503 within the function's 10 s when storage hangs. Only the starter launches runs, so only
 * it needs (and is configured with) the worker's function name.
 */
import { requireEnv } from '../adapters/config.js';
import { createBatchDocumentClient, documentClient } from '../adapters/dynamodb/client.js';
import { DynamoDbLibraryStore } from '../adapters/dynamodb/library-store.js';
import { DynamoDbPeriodStore } from '../adapters/dynamodb/period-store.js';
import { DynamoDbRollupRunStore } from '../adapters/dynamodb/rollup-run-store.js';
import { DynamoDbSubmissionStore } from '../adapters/dynamodb/submission-store.js';
import { formRegistry } from '../adapters/form-catalog.js';
import { createBatchS3Client, s3Client } from '../adapters/s3/client.js';
import { S3ReportStorage } from '../adapters/s3/report-storage.js';
import { PeriodService } from '../domain/periods/service.js';
import type { RollupLauncher } from '../domain/rollup/model.js';
import { RollupService } from '../domain/rollup/service.js';
import { resourceEnv } from '../infra/resources.js';

const tableName = requireEnv(resourceEnv.tableName);
const reportsBucket = requireEnv(resourceEnv.reportsBucket);
const now = () => new Date();

/** For the functions that read or compute runs: starting one there is a wiring mistake. */
const launchesNothing: RollupLauncher = {
  launch: async () => {
    throw new Error('This function does not start rollup runs');
  },
};

export const createRollupService = (options: {
  launcher?: RollupLauncher;
  clients: 'api' | 'worker';
}) => {
  const documents = options.clients === 'worker' ? createBatchDocumentClient() : documentClient;
  const s3 = options.clients === 'worker' ? createBatchS3Client() : s3Client;
  return new RollupService({
    runs: new DynamoDbRollupRunStore(documents, tableName),
    reports: new S3ReportStorage(s3, reportsBucket),
    launcher: options.launcher ?? launchesNothing,
    submissions: new DynamoDbSubmissionStore(documents, tableName),
    libraries: new DynamoDbLibraryStore(documents, tableName),
    periods: new PeriodService({
      store: new DynamoDbPeriodStore(documents, tableName),
      forms: formRegistry,
      now,
    }),
    forms: formRegistry,
    now,
  });
};
