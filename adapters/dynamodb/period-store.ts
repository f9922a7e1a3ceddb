import { LockException, type PeriodStore, StoredWindow } from '../../domain/periods/window.js';
import { withStorageErrors } from '../storage-errors.js';
import { batchGet } from './batch-get.js';
import type { DocumentClient } from './client.js';
import { exceptionKeys, windowKeys } from './keys.js';
import { queryAll } from './query-all.js';

export class DynamoDbPeriodStore implements PeriodStore {
  constructor(
    private readonly client: DocumentClient,
    private readonly tableName: string,
  ) {}

  async getWindow(formId: string, period: string): Promise<StoredWindow | undefined> {
    const { Item } = await withStorageErrors(() =>
      this.client.send('GetItem', { TableName: this.tableName, Key: windowKeys(formId, period) }),
    );
    return Item ? StoredWindow.parse(Item) : undefined;
  }

  async putWindow(formId: string, period: string, window: StoredWindow): Promise<void> {
    await withStorageErrors(() =>
      this.client.send('PutItem', {
        TableName: this.tableName,
        Item: { ...windowKeys(formId, period), ...window },
      }),
    );
  }

  async listExceptions(formId: string, period: string): Promise<LockException[]> {
    const { PK } = windowKeys(formId, period);
    return queryAll(
      this.client,
      {
        TableName: this.tableName,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: { ':pk': PK, ':prefix': 'EXCEPTION#' },
      },
      (item) => LockException.parse(item),
    );
  }

  async getWindowAndException(
    formId: string,
    period: string,
    libraryId: string,
  ): Promise<{ window?: StoredWindow; exception?: LockException }> {
    const [window, exception] = await batchGet(
      this.client,
      this.tableName,
      [windowKeys(formId, period), exceptionKeys(formId, period, libraryId)],
      { consistentRead: false },
    );
    return {
      ...(window ? { window: StoredWindow.parse(window) } : {}),
      ...(exception ? { exception: LockException.parse(exception) } : {}),
    };
  }

  async putException(formId: string, period: string, exception: LockException): Promise<void> {
    await withStorageErrors(() =>
      this.client.send('PutItem', {
        TableName: this.tableName,
        Item: { ...exceptionKeys(formId, period, exception.libraryId), ...exception },
      }),
    );
  }
}
