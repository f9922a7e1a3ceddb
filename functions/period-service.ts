/** The period service wired to DynamoDB, created once per execution environment. */
import { requireEnv } from '../adapters/config.js';
import { documentClient } from '../adapters/dynamodb/client.js';
import { DynamoDbLibraryStore } from '../adapters/dynamodb/library-store.js';
import { DynamoDbPeriodStore } from '../adapters/dynamodb/period-store.js';
import { formRegistry } from '../adapters/form-catalog.js';
import { PeriodService } from '../domain/periods/service.js';
import { resourceEnv } from '../infra/resources.js';

const tableName = requireEnv(resourceEnv.tableName);

export const periodService = new PeriodService({
  store: new DynamoDbPeriodStore(documentClient, tableName),
  forms: formRegistry,
  libraries: new DynamoDbLibraryStore(documentClient, tableName),
  now: () => new Date(),
});
