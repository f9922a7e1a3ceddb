import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { storageUnavailable, withStorageErrors } from '../storage-errors.js';

export interface ItemKey {
  PK: string;
  SK: string;
}

/** DynamoDB reads at most 100 keys per BatchGetItem. */
const MAX_KEYS = 100;
/** Rounds for keys DynamoDB leaves unprocessed (it may under load or throttling). */
const MAX_ROUNDS = 5;
const BACKOFF_MS = 20;

const idOf = (key: ItemKey) => `${key.PK}\u0000${key.SK}`;

/**
 * Several items in one round trip instead of one GetItem each; answers in the order of `keys`,
 * `undefined` where there is no item. Keys DynamoDB leaves unprocessed are asked again with
 * backoff; still unprocessed after that, the read is a retryable 503 like any other outage.
 */
export const batchGet = async (
  client: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly ItemKey[],
  options: { consistentRead: boolean },
): Promise<(Record<string, unknown> | undefined)[]> => {
  if (keys.length > MAX_KEYS) throw new Error(`batchGet reads at most ${MAX_KEYS} keys`);
  const found = new Map<string, Record<string, unknown>>();
  let pending: ItemKey[] = [...new Map(keys.map((key) => [idOf(key), key])).values()];
  for (let round = 0; pending.length > 0; round += 1) {
    if (round === MAX_ROUNDS) {
      throw storageUnavailable(new Error(`${pending.length} keys stayed unprocessed`));
    }
    if (round > 0) {
      await new Promise((resolve) => setTimeout(resolve, BACKOFF_MS * 2 ** round * Math.random()));
    }
    const request = pending.map(({ PK, SK }) => ({ PK, SK }));
    const output = await withStorageErrors(() =>
      client.send(
        new BatchGetCommand({
          RequestItems: {
            [tableName]: { Keys: request, ConsistentRead: options.consistentRead },
          },
        }),
      ),
    );
    for (const item of output.Responses?.[tableName] ?? []) {
      found.set(idOf(item as ItemKey), item);
    }
    pending = (output.UnprocessedKeys?.[tableName]?.Keys ?? []) as ItemKey[];
  }
  return keys.map((key) => found.get(idOf(key)));
};
