import {
  RollupRun,
  type RollupRunStore,
  type RollupRunVersion,
} from '../../domain/rollup/model.js';
import { withStorageErrors } from '../storage-errors.js';
import { type DocumentClient, isConditionFailure } from './client.js';
import { ROLLUP_RUN_PREFIX, rollupRunKeys, rollupRunPartition } from './keys.js';

/**
 * The creation time a run id starts with (`20261122T020000123Z-1a2b3c4d`, see
 * RollupService), so a run is read with one GetItem on its full key.
 */
const COMPACT_TIME = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z-/;
export const createdAtOfRunId = (runId: string): string | undefined => {
  const match = COMPACT_TIME.exec(runId);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second, millis] = match;
  return `${year}-${month}-${day}T${hour}:${minute}:${second}.${millis}Z`;
};

/** `status` is a reserved word; a run no worker took yet has no `attempt`. */
const versionCondition = ({ status, attempt }: RollupRunVersion) => ({
  ConditionExpression:
    attempt === undefined
      ? '#status = :status AND attribute_not_exists(#attempt)'
      : '#status = :status AND #attempt = :attempt',
  ExpressionAttributeNames: { '#status': 'status', '#attempt': 'attempt' },
  ExpressionAttributeValues: {
    ':status': status,
    ...(attempt === undefined ? {} : { ':attempt': attempt }),
  },
});

/**
 * Run records of one form and period in one partition, `RUN#<createdAt>#<runId>` sort keys:
 * the newest run is the last key. Reads are strongly consistent, so a run queued by the
 * starter is visible to the worker and to the next status request at once.
 */
export class DynamoDbRollupRunStore implements RollupRunStore {
  constructor(
    private readonly client: DocumentClient,
    private readonly tableName: string,
  ) {}

  async put(run: RollupRun): Promise<void> {
    await this.write(run);
  }

  async replace(run: RollupRun, expected: RollupRunVersion): Promise<boolean> {
    try {
      await this.write(run, expected);
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** The one write of run records: unconditional, or only over the version given. */
  private async write(run: RollupRun, expected?: RollupRunVersion): Promise<void> {
    await withStorageErrors(() =>
      this.client.send('PutItem', {
        TableName: this.tableName,
        Item: { ...rollupRunKeys(run), entity: 'rollupRun', ...run },
        ...(expected ? versionCondition(expected) : {}),
      }),
    );
  }

  async get(formId: string, period: string, runId: string): Promise<RollupRun | undefined> {
    const createdAt = createdAtOfRunId(runId);
    if (createdAt !== undefined) {
      const { Item } = await withStorageErrors(() =>
        this.client.send('GetItem', {
          TableName: this.tableName,
          Key: rollupRunKeys({ formId, period, createdAt, runId }),
          ConsistentRead: true,
        }),
      );
      if (Item) return RollupRun.parse(Item);
    }
    return this.find(formId, period, runId);
  }

  /** A run whose id does not carry its creation time: newest first, page by page. */
  private async find(formId: string, period: string, runId: string) {
    let cursor: Record<string, unknown> | undefined;
    do {
      const page = await withStorageErrors(() =>
        this.client.send('Query', {
          TableName: this.tableName,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
          FilterExpression: 'runId = :runId',
          ExpressionAttributeValues: {
            ':pk': rollupRunPartition(formId, period),
            ':prefix': ROLLUP_RUN_PREFIX,
            ':runId': runId,
          },
          ScanIndexForward: false,
          ConsistentRead: true,
          ExclusiveStartKey: cursor,
        }),
      );
      const [item] = page.Items ?? [];
      if (item) return RollupRun.parse(item);
      cursor = page.LastEvaluatedKey;
    } while (cursor);
    return undefined;
  }

  async latest(formId: string, period: string): Promise<RollupRun | undefined> {
    const { Items } = await withStorageErrors(() =>
      this.client.send('Query', {
        TableName: this.tableName,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: {
          ':pk': rollupRunPartition(formId, period),
          ':prefix': ROLLUP_RUN_PREFIX,
        },
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    const [item] = Items ?? [];
    return item ? RollupRun.parse(item) : undefined;
  }
}
