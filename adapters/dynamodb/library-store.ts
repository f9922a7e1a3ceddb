import type { BatchWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { Library, type LibraryStore } from '../../domain/registry/library.js';
import { withStorageErrors } from '../storage-errors.js';
import type { DocumentClient } from './client.js';
import { REGISTRY_PARTITION, registryKey } from './keys.js';
import { queryAll } from './query-all.js';

type WriteRequest = NonNullable<BatchWriteCommandInput['RequestItems']>[string][number];

const BATCH_SIZE = 25;
const MAX_UNPROCESSED_RETRIES = 8;

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class DynamoDbLibraryStore implements LibraryStore {
  constructor(
    private readonly client: DocumentClient,
    private readonly tableName: string,
  ) {}

  async listLibraries(): Promise<Library[]> {
    return queryAll(
      this.client,
      {
        TableName: this.tableName,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': REGISTRY_PARTITION },
      },
      (item) => Library.parse(item),
    );
  }

  async getLibrary(libraryId: string): Promise<Library | undefined> {
    const { Item } = await withStorageErrors(() =>
      this.client.send('GetItem', { TableName: this.tableName, Key: registryKey(libraryId) }),
    );
    return Item ? Library.parse(Item) : undefined;
  }

  async putLibraries(libraries: readonly Library[]): Promise<void> {
    for (let start = 0; start < libraries.length; start += BATCH_SIZE) {
      let requests: WriteRequest[] = libraries.slice(start, start + BATCH_SIZE).map((library) => ({
        PutRequest: { Item: { ...registryKey(library.libraryId), ...library } },
      }));
      for (let attempt = 0; requests.length > 0; attempt += 1) {
        if (attempt > MAX_UNPROCESSED_RETRIES) {
          throw new Error(`Registry write left ${requests.length} items unprocessed`);
        }
        if (attempt > 0) await wait(50 * 2 ** attempt);
        const result = await withStorageErrors(() =>
          this.client.send('BatchWriteItem', { RequestItems: { [this.tableName]: requests } }),
        );
        requests = result.UnprocessedItems?.[this.tableName] ?? [];
      }
    }
  }
}
