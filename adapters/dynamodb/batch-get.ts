import { storageUnavailable, withStorageErrors } from '../storage-errors.js';
import type { DocumentClient } from './client.js';

export interface ItemKey {
  PK: string;
  SK: string;
}

type Item = Record<string, unknown>;

/** DynamoDB reads at most 100 keys per BatchGetItem. */
const MAX_KEYS = 100;
/** Rounds for keys DynamoDB leaves unprocessed (it may under load or throttling). */
const MAX_ROUNDS = 5;
const BACKOFF_MS = 20;

const idOf = (key: ItemKey) => `${key.PK}\u0000${key.SK}`;

/** Every key once: one BatchGetItem, then the keys DynamoDB left unprocessed, with backoff. */
const readAll = async (
  client: DocumentClient,
  tableName: string,
  keys: ReadonlyMap<string, ItemKey>,
  consistentRead: boolean,
): Promise<Map<string, Item>> => {
  const found = new Map<string, Item>();
  let pending = [...keys.values()];
  for (let round = 0; pending.length > 0; round += 1) {
    if (round === MAX_ROUNDS) {
      throw storageUnavailable(new Error(`${pending.length} keys stayed unprocessed`));
    }
    if (round > 0) {
      await new Promise((resolve) => setTimeout(resolve, BACKOFF_MS * 2 ** round * Math.random()));
    }
    const request = pending.map(({ PK, SK }) => ({ PK, SK }));
    const output = await withStorageErrors(() =>
      client.send('BatchGetItem', {
        RequestItems: { [tableName]: { Keys: request, ConsistentRead: consistentRead } },
      }),
    );
    for (const item of output.Responses?.[tableName] ?? []) {
      found.set(idOf(item as ItemKey), item);
    }
    pending = (output.UnprocessedKeys?.[tableName]?.Keys ?? []) as ItemKey[];
  }
  return found;
};

interface Batch {
  keys: Map<string, ItemKey>;
  consistentRead: boolean;
  readers: { resolve: (found: Map<string, Item>) => void; reject: (error: unknown) => void }[];
}

/** The batch still collecting reads, per client and table. */
const collecting = new WeakMap<DocumentClient, Map<string, Batch>>();

/**
 * Several items in one round trip instead of one GetItem each; answers in the order of `keys`,
 * `undefined` where there is no item. Reads asked for in the same turn of the event loop on the
 * same client and table share one BatchGetItem (a save's own head, its previous period's and
 * the period window: one request, not three), consistent if any of them asked to be. Keys
 * DynamoDB leaves unprocessed are asked again with backoff; still unprocessed after that, the
 * read is a retryable 503 like any other outage, for every reader of the batch.
 */
export const batchGet = async (
  client: DocumentClient,
  tableName: string,
  keys: readonly ItemKey[],
  options: { consistentRead: boolean },
): Promise<(Item | undefined)[]> => {
  if (keys.length > MAX_KEYS) throw new Error(`batchGet reads at most ${MAX_KEYS} keys`);
  const byTable = collecting.get(client) ?? new Map<string, Batch>();
  collecting.set(client, byTable);
  let batch = byTable.get(tableName);
  const newKeys = keys.filter((key) => !batch?.keys.has(idOf(key)));
  if (!batch || batch.keys.size + new Set(newKeys.map(idOf)).size > MAX_KEYS) {
    const started: Batch = { keys: new Map(), consistentRead: false, readers: [] };
    byTable.set(tableName, started);
    queueMicrotask(() => {
      if (byTable.get(tableName) === started) byTable.delete(tableName);
      readAll(client, tableName, started.keys, started.consistentRead).then(
        (found) => {
          for (const reader of started.readers) reader.resolve(found);
        },
        (error: unknown) => {
          for (const reader of started.readers) reader.reject(error);
        },
      );
    });
    batch = started;
  }
  for (const key of keys) batch.keys.set(idOf(key), key);
  batch.consistentRead ||= options.consistentRead;
  const current = batch;
  const found = await new Promise<Map<string, Item>>((resolve, reject) => {
    current.readers.push({ resolve, reject });
  });
  return keys.map((key) => found.get(idOf(key)));
};
