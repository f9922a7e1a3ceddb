import type { ReadinessProbe } from '../../domain/health.js';
import { withStorageErrors } from '../storage-errors.js';
import type { DocumentClient } from './client.js';
import { HEALTH_KEY } from './keys.js';

/** Ready when the table answers a strongly consistent read (which also proves it exists). */
export class DynamoDbReadinessProbe implements ReadinessProbe {
  constructor(
    private readonly client: DocumentClient,
    private readonly tableName: string,
  ) {}

  async checkReady(): Promise<void> {
    await withStorageErrors(() =>
      this.client.send('GetItem', {
        TableName: this.tableName,
        Key: HEALTH_KEY,
        ConsistentRead: true,
      }),
    );
  }
}
