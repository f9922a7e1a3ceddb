/** The submission and period services wired to DynamoDB, created once per execution environment. */
import { requireEnv } from '../adapters/config.js';
import { documentClient } from '../adapters/dynamodb/client.js';
import { DynamoDbPeriodStore } from '../adapters/dynamodb/period-store.js';
import { DynamoDbSubmissionStore } from '../adapters/dynamodb/submission-store.js';
import { formRegistry } from '../adapters/form-catalog.js';
import { PeriodService } from '../domain/periods/service.js';
import { SubmissionService } from '../domain/submissions/service.js';
import { resourceEnv } from '../infra/resources.js';

const tableName = requireEnv(resourceEnv.tableName);
const now = () => new Date();

export const periodService = new PeriodService({
  store: new DynamoDbPeriodStore(documentClient, tableName),
  forms: formRegistry,
  now,
});

export const submissionService = new SubmissionService({
  store: new DynamoDbSubmissionStore(documentClient, tableName),
  periods: periodService,
  forms: formRegistry,
  now,
});
