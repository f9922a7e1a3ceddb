import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  SubmissionHead,
  type SubmissionKey,
  SubmissionRevision,
} from '../../domain/submissions/model.js';
import {
  type Page,
  type PageRequest,
  RevisionConflictError,
  type SubmissionStore,
} from '../../domain/submissions/store.js';
import { withStorageErrors } from '../storage-errors.js';
import { decodeCursor, encodeCursor, withCursor } from './cursor.js';
import {
  headIndexKeys,
  periodPartition,
  revisionKeys,
  revisionPrefix,
  submissionKeys,
} from './keys.js';

const HEAD_INDEX = 'GSI1';

export class DynamoDbSubmissionStore implements SubmissionStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async getHead(key: SubmissionKey): Promise<SubmissionHead | undefined> {
    const { Item } = await withStorageErrors(() =>
      this.client.send(
        new GetCommand({
          TableName: this.tableName,
          Key: submissionKeys(key),
          ConsistentRead: true,
        }),
      ),
    );
    return Item ? SubmissionHead.parse(Item) : undefined;
  }

  async commit(
    head: SubmissionHead,
    revision: SubmissionRevision,
    expectedRevision: number,
  ): Promise<void> {
    try {
      await withStorageErrors(() =>
        this.client.send(
          new TransactWriteCommand({
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
          }),
        ),
      );
    } catch (error) {
      // A failed condition or a concurrent transaction on the same items: the head moved.
      if (
        error instanceof TransactionCanceledException &&
        (error.CancellationReasons ?? []).some(
          (reason) =>
            reason.Code === 'ConditionalCheckFailed' || reason.Code === 'TransactionConflict',
        )
      ) {
        throw new RevisionConflictError(head, expectedRevision, { cause: error });
      }
      throw error;
    }
  }

  async listRevisions(key: SubmissionKey, page: PageRequest): Promise<Page<SubmissionRevision>> {
    const { PK } = submissionKeys(key);
    const result = await withCursor(page.cursor, () =>
      withStorageErrors(() =>
        this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
            ExpressionAttributeValues: { ':pk': PK, ':prefix': revisionPrefix(key) },
            ScanIndexForward: false,
            Limit: page.limit,
            ExclusiveStartKey: decodeCursor(page.cursor, 'PK', PK),
          }),
        ),
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
      this.client.send(
        new GetCommand({ TableName: this.tableName, Key: revisionKeys(key, revision) }),
      ),
    );
    return Item ? SubmissionRevision.parse(Item) : undefined;
  }

  async listHeads(
    formId: string,
    period: string,
    page: PageRequest,
  ): Promise<Page<SubmissionHead>> {
    const partition = periodPartition(formId, period);
    const result = await withCursor(page.cursor, () =>
      withStorageErrors(() =>
        this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: HEAD_INDEX,
            KeyConditionExpression: 'GSI1PK = :pk',
            ExpressionAttributeValues: { ':pk': partition },
            Limit: page.limit,
            ExclusiveStartKey: decodeCursor(page.cursor, 'GSI1PK', partition),
          }),
        ),
      ),
    );
    const nextCursor = encodeCursor(result.LastEvaluatedKey);
    return {
      items: (result.Items ?? []).map((item) => SubmissionHead.parse(item)),
      ...(nextCursor ? { nextCursor } : {}),
    };
  }
}
