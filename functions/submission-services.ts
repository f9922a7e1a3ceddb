/**
 * The submission service wired to DynamoDB, created once per execution environment. Period and
 * evidence functions wire only the services they use (period-service.ts, evidence-service.ts).
 */
import { requireEnv } from '../adapters/config.js';
import { documentClient } from '../adapters/dynamodb/client.js';
import { DynamoDbSubmissionStore } from '../adapters/dynamodb/submission-store.js';
import { formRegistry } from '../adapters/form-catalog.js';
import { SubmissionService } from '../domain/submissions/service.js';
import { resourceEnv } from '../infra/resources.js';
import { periodService } from './period-service.js';

export const submissionService = new SubmissionService({
  store: new DynamoDbSubmissionStore(documentClient, requireEnv(resourceEnv.tableName)),
  periods: periodService,
  forms: formRegistry,
  now: () => new Date(),
});
