/**
 * The rollup service wired to DynamoDB and the reports bucket, created once per execution
 * environment. The worker's clients retry more, backing off, with long timeouts: a run makes many
 * calls in a row and should slow down, not fail, while a table or the bucket throttles. The
 * API's routes (status, start, files) use the API clients instead, whose short timeouts answer
 * a 503 within the function's 10 s when storage hangs. The starter, which launches runs and
 * touches no file, is wired in start-rollup.ts without the bucket.
 */
import { requireEnv } from '../adapters/config.js';
import { createBatchDocumentClient, documentClient } from '../adapters/dynamodb/client.js';
import { createBatchS3Client, s3Client } from '../adapters/s3/client.js';
import { S3ReportStorage } from '../adapters/s3/report-storage.js';
import type { RollupLauncher } from '../domain/rollup/model.js';
import { RollupService } from '../domain/rollup/service.js';
import { resourceEnv } from '../infra/resources.js';
import { rollupStores } from './rollup-stores.js';

const reportsBucket = requireEnv(resourceEnv.reportsBucket);

/** For the functions that read or compute runs: starting one there is a wiring mistake. */
const launchesNothing: RollupLauncher = {
  launch: async () => {
    throw new Error('This function does not start rollup runs');
  },
};

export const createRollupService = (options: { clients: 'api' | 'worker' }) => {
  const documents = options.clients === 'worker' ? createBatchDocumentClient() : documentClient;
  const s3 = options.clients === 'worker' ? createBatchS3Client() : s3Client;
  return new RollupService({
    ...rollupStores(documents),
    reports: new S3ReportStorage(s3, reportsBucket),
    launcher: launchesNothing,
  });
};
