/** The period service wired to DynamoDB, created once per execution environment. */
import { requireEnv } from '../adapters/config.js';
import { documentClient } from '../adapters/dynamodb/client.js';
import { DynamoDbPeriodStore } from '../adapters/dynamodb/period-store.js';
import { formRegistry } from '../adapters/form-catalog.js';
import { PeriodService } from '../domain/periods/service.js';
import { resourceEnv } from '../infra/resources.js';

export const periodService = new PeriodService({
  store: new DynamoDbPeriodStore(documentClient, requireEnv(resourceEnv.tableName)),
  forms: formRegistry,
  now: () => new Date(),
});
