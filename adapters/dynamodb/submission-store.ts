import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import {
  SubmissionHead,
  type SubmissionKey,
  SubmissionRevision,
} from '../../domain/submissions/model.js';
import {
  type HeadListing,
  type Page,
  type PageRequest,
  RevisionConflictError,
  type SubmissionStore,
} from '../../domain/submissions/store.js';
import { withStorageErrors } from '../storage-errors.js';
import { batchGet } from './batch-get.js';
import type { DocumentClient } from './client.js';
import { decodeCursor, encodeCursor, withCursor } from './cursor.js';
import {
  headIndexKeys,
  periodPartition,
  revisionKeys,
  revisionPrefix,
  submissionKeys,
} from './keys.js';
import { sendTransaction } from './transactions.js';

const HEAD_INDEX = 'GSI1';

export class DynamoDbSubmissionStore implements SubmissionStore {
  constructor(
    private readonly client: DocumentClient,
    private readonly tableName: string,
  ) {}

  async getHead(key: SubmissionKey): Promise<SubmissionHead | undefined> {
    const { Item } = await withStorageErrors(() =>
      this.client.send('GetItem', {
        TableName: this.tableName,
        Key: submissionKeys(key),
        ConsistentRead: true,
      }),
    );
    return Item ? SubmissionHead.parse(Item) : undefined;
  }

  /** Several heads in one consistent BatchGetItem, in the order of `keys`. */
  async getHeads(keys: readonly SubmissionKey[]): Promise<(SubmissionHead | undefined)[]> {
    const items = await batchGet(this.client, this.tableName, keys.map(submissionKeys), {
      consistentRead: true,
    });
    return items.map((item) => (item ? SubmissionHead.parse(item) : undefined));
  }

  /**
   * Writes the head (conditioned on the expected revision) and the new revision (never
   * overwriting one) in one transaction. A transaction DynamoDB cancelled because another one
   * touched the same item at that moment (`TransactionConflict`, nothing written) is retried a
   * few times with jitter, as AWS advises; the conditions make a retry apply at most once. A
   * failed condition, or conflicts that persist, mean the head moved: RevisionConflictError.
   */
  async commit(
    head: SubmissionHead,
    revision: SubmissionRevision,
    expectedRevision: number,
  ): Promise<void> {
    await sendTransaction(
      this.client,
      this.commitInput(head, revision, expectedRevision),
      (cause) => new RevisionConflictError(head, expectedRevision, { cause }),
    );
  }

  private commitInput(
    head: SubmissionHead,
    revision: SubmissionRevision,
    expectedRevision: number,
  ): TransactWriteCommandInput {
    return {
      TransactItems: [
        {
          Put: {
            TableName: this.tableName,
            Item: {
              ...submissionKeys(head),
              ...headIndexKeys(head),
              entity: 'head',
              ...head,
            },
            ...(expectedRevision === 0
              ? { ConditionExpression: 'attribute_not_exists(PK)' }
              : {
                  ConditionExpression: '#revision = :expected',
                  ExpressionAttributeNames: { '#revision': 'revision' },
                  ExpressionAttributeValues: { ':expected': expectedRevision },
                }),
          },
        },
        {
          Put: {
            TableName: this.tableName,
            Item: {
              ...revisionKeys(revision, revision.revision),
              entity: 'revision',
              ...revision,
            },
            // Revisions are immutable: never overwrite one.
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
      ],
    };
  }

  async listRevisions(key: SubmissionKey, page: PageRequest): Promise<Page<SubmissionRevision>> {
    const { PK } = submissionKeys(key);
    const result = await withCursor(page.cursor, () =>
      withStorageErrors(() =>
        this.client.send('Query', {
          TableName: this.tableName,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
          ExpressionAttributeValues: { ':pk': PK, ':prefix': revisionPrefix(key) },
          ScanIndexForward: false,
          Limit: page.limit,
          ExclusiveStartKey: decodeCursor(page.cursor, 'PK', PK),
        }),
      ),
    );
    const nextCursor = encodeCursor(result.LastEvaluatedKey);
    return {
      items: (result.Items ?? []).map((item) => SubmissionRevision.parse(item)),
      ...(nextCursor ? { nextCursor } : {}),
    };
  }

  async getRevision(key: SubmissionKey, revision: number): Promise<SubmissionRevision | undefined> {
    const { Item } = await withStorageErrors(() =>
      this.client.send('GetItem', { TableName: this.tableName, Key: revisionKeys(key, revision) }),
    );
    return Item ? SubmissionRevision.parse(Item) : undefined;
  }

  async listHeads(
    formId: string,
    period: string,
    page: PageRequest,
    narrow: HeadListing = {},
  ): Promise<Page<SubmissionHead>> {
    const partition = periodPartition(formId, period);
    const { valueKeys } = narrow;
    // At most one bound on the sort key (`LIB#<libraryId>`), as DynamoDB allows.
    const bound =
      narrow.before !== undefined
        ? { condition: ' AND GSI1SK < :bound', libraryId: narrow.before }
        : narrow.from !== undefined
          ? { condition: ' AND GSI1SK >= :bound', libraryId: narrow.from }
          : undefined;
    const result = await withCursor(page.cursor, () =>
      withStorageErrors(() =>
        this.client.send('Query', {
          TableName: this.tableName,
          IndexName: HEAD_INDEX,
          KeyConditionExpression: `GSI1PK = :pk${bound?.condition ?? ''}`,
          ExpressionAttributeValues: {
            ':pk': partition,
            ...(bound
              ? { ':bound': headIndexKeys({ libraryId: bound.libraryId, formId, period }).GSI1SK }
              : {}),
          },
          ...(valueKeys ? headProjection(valueKeys) : {}),
          Limit: page.limit,
          ExclusiveStartKey: decodeCursor(page.cursor, 'GSI1PK', partition),
        }),
      ),
    );
    const nextCursor = encodeCursor(result.LastEvaluatedKey);
    return {
      // A head none of whose values were asked for comes without `values`.
      items: (result.Items ?? []).map((item) =>
        SubmissionHead.parse(
          valueKeys && item.values === undefined ? { ...item, values: {} } : item,
        ),
      ),
      ...(nextCursor ? { nextCursor } : {}),
    };
  }
}

/**
 * Every attribute of a head, but of its values only `valueKeys`: the rollup reads the previous
 * period for a few values compared year over year, not whole reports.
 */
const headProjection = (valueKeys: readonly string[]) => {
  // DynamoDB refuses a name the expression does not use.
  const names: Record<string, string> = valueKeys.length > 0 ? { '#values': 'values' } : {};
  const paths: string[] = [];
  Object.keys(SubmissionHead.shape)
    .filter((attribute) => attribute !== 'values')
    .forEach((attribute, index) => {
      names[`#a${index}`] = attribute;
      paths.push(`#a${index}`);
    });
  valueKeys.forEach((key, index) => {
    names[`#v${index}`] = key;
    paths.push(`#values.#v${index}`);
  });
  return { ProjectionExpression: paths.join(', '), ExpressionAttributeNames: names };
};
