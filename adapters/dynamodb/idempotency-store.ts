/**
 * Powertools idempotency's records in the main table, on the app's DynamoDB client
 * (adapters/dynamodb/client.ts). Powertools' own DynamoDBPersistenceLayer takes only the SDK's
 * DynamoDB client, which no function loads any more; this is its "bring your own persistence
 * layer" extension point. Records are written exactly as that layer writes them (the same
 * attributes, key and conditions), so records written before the change stay valid.
 */
import {
  IdempotencyItemAlreadyExistsError,
  IdempotencyItemNotFoundError,
  IdempotencyRecordStatus,
  PERSISTENCE_ATTRIBUTE_KEY_MAPPINGS,
} from '@aws-lambda-powertools/idempotency';
import {
  BasePersistenceLayer,
  IdempotencyRecord,
} from '@aws-lambda-powertools/idempotency/persistence';
import type { IdempotencyRecordOptions } from '@aws-lambda-powertools/idempotency/types';
import { type DocumentClient, isConditionFailure } from './client.js';

export interface IdempotencyTable {
  tableName: string;
  /** The partition key: one static value per function (`idempotency#<function name>`). */
  keyAttr: string;
  /** The sort key: the hashed idempotency key. */
  sortKeyAttr: string;
  /** DynamoDB's time-to-live attribute, in epoch seconds. */
  expiryAttr: string;
}

const { statusAttr, inProgressExpiryAttr, dataAttr, validationKeyAttr } =
  PERSISTENCE_ATTRIBUTE_KEY_MAPPINGS;

/*
 * Conditions to take the key: it is new (or DynamoDB's TTL removed it), its record expired, or
 * it is in progress and the invocation that took it has timed out.
 */
const TAKE_KEY_CONDITION = [
  'attribute_not_exists(#id)',
  '#expiry < :now',
  '(#status = :inprogress AND attribute_exists(#in_progress_expiry) AND #in_progress_expiry < :now_in_millis)',
].join(' OR ');

export class DynamoDbIdempotencyStore extends BasePersistenceLayer {
  private readonly staticPartitionKey: string;

  constructor(
    private readonly client: DocumentClient,
    private readonly table: IdempotencyTable,
  ) {
    super();
    this.staticPartitionKey = `idempotency#${this.idempotencyKeyPrefix}`;
  }

  private key(idempotencyKey: string) {
    return {
      [this.table.keyAttr]: this.staticPartitionKey,
      [this.table.sortKeyAttr]: idempotencyKey,
    };
  }

  /** A stored record; its key is the idempotency key it was written for (the sort key). */
  private recordOf(item: Record<string, unknown>): IdempotencyRecord {
    return new IdempotencyRecord({
      idempotencyKey: item[this.table.sortKeyAttr],
      status: item[statusAttr],
      expiryTimestamp: item[this.table.expiryAttr],
      inProgressExpiryTimestamp: item[inProgressExpiryAttr],
      responseData: item[dataAttr],
      payloadHash: item[validationKeyAttr],
    } as IdempotencyRecordOptions);
  }

  protected async _getRecord(idempotencyKey: string): Promise<IdempotencyRecord> {
    const { Item } = await this.client.send('GetItem', {
      TableName: this.table.tableName,
      Key: this.key(idempotencyKey),
      ConsistentRead: true,
    });
    if (!Item) throw new IdempotencyItemNotFoundError();
    return this.recordOf(Item);
  }

  protected async _putRecord(record: IdempotencyRecord): Promise<void> {
    const now = Date.now();
    try {
      await this.client.send('PutItem', {
        TableName: this.table.tableName,
        Item: {
          ...this.key(record.idempotencyKey),
          [this.table.expiryAttr]: record.expiryTimestamp,
          [statusAttr]: record.getStatus(),
          [inProgressExpiryAttr]: record.inProgressExpiryTimestamp,
          [validationKeyAttr]: this.isPayloadValidationEnabled() ? record.payloadHash : undefined,
        },
        ConditionExpression: TAKE_KEY_CONDITION,
        ExpressionAttributeNames: {
          '#id': this.table.keyAttr,
          '#expiry': this.table.expiryAttr,
          '#in_progress_expiry': inProgressExpiryAttr,
          '#status': statusAttr,
        },
        ExpressionAttributeValues: {
          ':now': now / 1000,
          ':now_in_millis': now,
          ':inprogress': IdempotencyRecordStatus.INPROGRESS,
        },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      });
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const { Item } = error as { Item?: Record<string, unknown> };
      throw new IdempotencyItemAlreadyExistsError(
        `Failed to put record for already existing idempotency key: ${record.idempotencyKey}`,
        Item && this.recordOf(Item),
      );
    }
  }

  protected async _updateRecord(record: IdempotencyRecord): Promise<void> {
    const validated = this.isPayloadValidationEnabled();
    await this.client.send('UpdateItem', {
      TableName: this.table.tableName,
      Key: this.key(record.idempotencyKey),
      UpdateExpression: [
        'SET #expiry = :expiry, #status = :status',
        record.responseData === undefined ? '' : ', #response_data = :response_data',
        validated ? ', #validation_key = :validation_key' : '',
      ].join(''),
      ExpressionAttributeNames: {
        '#expiry': this.table.expiryAttr,
        '#status': statusAttr,
        ...(record.responseData === undefined ? {} : { '#response_data': dataAttr }),
        ...(validated ? { '#validation_key': validationKeyAttr } : {}),
      },
      ExpressionAttributeValues: {
        ':expiry': record.expiryTimestamp,
        ':status': record.getStatus(),
        ...(record.responseData === undefined ? {} : { ':response_data': record.responseData }),
        ...(validated ? { ':validation_key': record.payloadHash } : {}),
      },
    });
  }

  protected async _deleteRecord(record: IdempotencyRecord): Promise<void> {
    await this.client.send('DeleteItem', {
      TableName: this.table.tableName,
      Key: this.key(record.idempotencyKey),
    });
  }
}
