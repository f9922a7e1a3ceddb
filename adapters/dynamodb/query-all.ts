import type { QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { withStorageErrors } from '../storage-errors.js';
import type { DocumentClient } from './client.js';

/** Every item a query matches, page after page, each parsed (for small, bounded partitions). */
export const queryAll = async <Item>(
  client: DocumentClient,
  input: Omit<QueryCommandInput, 'ExclusiveStartKey'>,
  parse: (item: Record<string, unknown>) => Item,
): Promise<Item[]> => {
  const items: Item[] = [];
  let cursor: Record<string, unknown> | undefined;
  do {
    const page = await withStorageErrors(() =>
      client.send('Query', { ...input, ExclusiveStartKey: cursor }),
    );
    for (const item of page.Items ?? []) items.push(parse(item));
    cursor = page.LastEvaluatedKey;
  } while (cursor);
  return items;
};
