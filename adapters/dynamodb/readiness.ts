import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { ReadinessProbe } from '../../domain/health.js';
import { withStorageErrors } from '../storage-errors.js';
import { HEALTH_KEY } from './keys.js';

/** Ready when the table answers a strongly consistent read (which also proves it exists). */
export class DynamoDbReadinessProbe implements ReadinessProbe {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async checkReady(): Promise<void> {
    await withStorageErrors(() =>
      this.client.send(
        new GetCommand({ TableName: this.tableName, Key: HEALTH_KEY, ConsistentRead: true }),
      ),
    );
  }
}
