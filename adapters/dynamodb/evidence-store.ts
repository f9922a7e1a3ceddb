import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import {
  EvidenceItem,
  type EvidenceKey,
  EvidenceSetChangedError,
  type EvidenceSnapshot,
  type EvidenceStatus,
  type EvidenceStore,
} from '../../domain/evidence/model.js';
import type { SubmissionKey, SubmissionStatus } from '../../domain/submissions/model.js';
import { storageUnavailable, withStorageErrors } from '../storage-errors.js';
import { type DocumentClient, isConditionFailure } from './client.js';
import {
  evidenceKeys,
  evidencePrefix,
  evidenceSetKeys,
  libraryPartition,
  submissionKeys,
} from './keys.js';
import { queryAll } from './query-all.js';
import { cancelledByCondition, sendTransaction } from './transactions.js';

export class DynamoDbEvidenceStore implements EvidenceStore {
  constructor(
    private readonly client: DocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * The item and the set's next version in one transaction, conditioned on its last one. The
   * set's condition failing, or conflicts that persist, mean another create of the report got
   * in: EvidenceSetChangedError. (The item's own condition cannot fail for a fresh id.)
   */
  async create(item: EvidenceItem, expectedVersion: number): Promise<void> {
    await sendTransaction(
      this.client,
      {
        TransactItems: [
          {
            Put: {
              TableName: this.tableName,
              Item: { ...evidenceKeys(item), entity: 'evidence', ...item },
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
          {
            Update: {
              TableName: this.tableName,
              Key: evidenceSetKeys(item),
              UpdateExpression: 'SET entity = :entity, version = :next',
              ConditionExpression:
                expectedVersion === 0 ? 'attribute_not_exists(PK)' : 'version = :expected',
              ExpressionAttributeValues: {
                ':entity': 'evidence-set',
                ':next': expectedVersion + 1,
                ...(expectedVersion === 0 ? {} : { ':expected': expectedVersion }),
              },
            },
          },
        ],
      },
      (cause) => new EvidenceSetChangedError(item, expectedVersion, { cause }),
      (codes) => codes[1] === 'ConditionalCheckFailed',
    );
  }

  /**
   * The version first, then the items: a create that lands in between shows in the items but
   * not the version, so the caller's create fails and it reads again; never the reverse.
   */
  async snapshot(report: SubmissionKey): Promise<EvidenceSnapshot> {
    const { Item } = await withStorageErrors(() =>
      this.client.send('GetItem', {
        TableName: this.tableName,
        Key: evidenceSetKeys(report),
        ConsistentRead: true,
      }),
    );
    const version = typeof Item?.version === 'number' ? Item.version : 0;
    return { items: await this.list(report), version };
  }

  async get(key: EvidenceKey): Promise<EvidenceItem | undefined> {
    const { Item } = await withStorageErrors(() =>
      this.client.send('GetItem', {
        TableName: this.tableName,
        Key: evidenceKeys(key),
        ConsistentRead: true,
      }),
    );
    return Item ? EvidenceItem.parse(Item) : undefined;
  }

  private async query(libraryId: string, prefix: string): Promise<EvidenceItem[]> {
    return queryAll(
      this.client,
      {
        TableName: this.tableName,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: { ':pk': libraryPartition(libraryId), ':prefix': prefix },
        ConsistentRead: true,
      },
      (item) => EvidenceItem.parse(item),
    );
  }

  async list(report: SubmissionKey): Promise<EvidenceItem[]> {
    const items = await this.query(report.libraryId, evidencePrefix(report));
    return items.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async findVerifiedBySha256(libraryId: string, sha256: string): Promise<EvidenceItem[]> {
    // A library holds at most a few hundred items across its reports: one partition query.
    const items = await this.query(libraryId, 'EVID#');
    return items.filter((item) => item.status === 'verified' && item.sha256 === sha256);
  }

  async transition(
    key: EvidenceKey,
    from: readonly EvidenceStatus[],
    patch: Partial<EvidenceItem> & { status: EvidenceStatus },
    reportIn?: readonly SubmissionStatus[],
  ): Promise<boolean> {
    const entries = Object.entries(patch).filter(([, value]) => value !== undefined);
    const names = Object.fromEntries(entries.map(([name], index) => [`#a${index}`, name]));
    const values = Object.fromEntries(entries.map(([, value], index) => [`:v${index}`, value]));
    const allowed = Object.fromEntries(from.map((status, index) => [`:from${index}`, status]));
    const update = {
      TableName: this.tableName,
      Key: evidenceKeys(key),
      UpdateExpression: `SET ${entries.map((_, index) => `#a${index} = :v${index}`).join(', ')}`,
      ConditionExpression: `attribute_exists(PK) AND #current IN (${Object.keys(allowed).join(', ')})`,
      ExpressionAttributeNames: { ...names, '#current': 'status' },
      ExpressionAttributeValues: { ...values, ...allowed },
    };
    if (reportIn) return this.transitionWhileReportIn(key, update, reportIn);
    try {
      await withStorageErrors(() => this.client.send('UpdateItem', update));
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /**
   * The update with a check of the report's head in one transaction. A check that fails is
   * `false`; a transaction still cancelled by concurrent ones (a save of the report, say) after
   * the retries is a retryable 503, never read as the report's status.
   */
  private async transitionWhileReportIn(
    report: SubmissionKey,
    update: NonNullable<NonNullable<TransactWriteCommandInput['TransactItems']>[number]['Update']>,
    reportIn: readonly SubmissionStatus[],
  ): Promise<boolean> {
    const statuses = Object.fromEntries(reportIn.map((status, index) => [`:in${index}`, status]));
    const refused = new Error('A condition of the transition failed');
    try {
      await sendTransaction(
        this.client,
        {
          TransactItems: [
            { Update: update },
            {
              ConditionCheck: {
                TableName: this.tableName,
                Key: submissionKeys(report),
                ConditionExpression: `#status IN (${Object.keys(statuses).join(', ')})`,
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: statuses,
              },
            },
          ],
        },
        (cause) => (cancelledByCondition(cause) ? refused : storageUnavailable(cause)),
      );
      return true;
    } catch (error) {
      if (error === refused) return false;
      throw error;
    }
  }
}
