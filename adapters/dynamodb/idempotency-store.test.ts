/**
 * DynamoDbIdempotencyStore against Powertools' own DynamoDBPersistenceLayer (on the SDK's
 * client), both talking to a scripted stand-in: the same calls on the wire, so records written
 * by either are read alike, and the same record from an answer.
 */
import {
  IdempotencyConfig,
  IdempotencyItemAlreadyExistsError,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type {
  BasePersistenceLayer,
  IdempotencyRecord,
} from '@aws-lambda-powertools/idempotency/persistence';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { IDEMPOTENCY_CONFIG_OPTIONS } from '../../functions/http/idempotency-settings.js';
import { mainTable } from '../../infra/resources.js';
import {
  answerWith,
  type ScriptedServer,
  startScriptedServer,
} from '../../test/fixtures/scripted-server.js';
import { DynamoDbDocumentClient } from './client.js';
import { DynamoDbIdempotencyStore } from './idempotency-store.js';

const NOW = Date.UTC(2026, 11, 2, 8, 0, 0);
const table = {
  tableName: 'reports',
  keyAttr: mainTable.partitionKey.name,
  sortKeyAttr: mainTable.sortKey.name,
  expiryAttr: mainTable.timeToLiveAttribute,
};
const settings = {
  region: 'cn-north-1',
  credentials: { accessKeyId: 'AKID', secretAccessKey: 'SECRET' },
};

/** A save with an Idempotency-Key, as API Gateway delivers it. */
const request = {
  routeKey: 'PUT /api/libraries/{libraryId}/submissions/{formId}/{period}',
  rawPath: '/api/libraries/140521/submissions/county-annual-report/2026',
  headers: { 'idempotency-key': 'key-1' },
  requestContext: { authorizer: { jwt: { claims: { sub: 'user-1' } } } },
  body: '{"values":{"holdingsTotal":1},"expectedRevision":0}',
};
const response = { statusCode: 200, body: '{"revision":1}' };

const ENCODED_RESPONSE = JSON.stringify(response);

describe('DynamoDbIdempotencyStore', () => {
  let server: ScriptedServer;
  let sdkClient: DynamoDBClient;
  let appClient: DynamoDbDocumentClient;
  const layers: Record<'powertools' | 'app', BasePersistenceLayer> = {} as never;

  beforeAll(async () => {
    process.env.AWS_LAMBDA_FUNCTION_NAME = 'save-submission';
    jest.spyOn(Date, 'now').mockReturnValue(NOW);
    server = await startScriptedServer();
    sdkClient = new DynamoDBClient({ ...settings, endpoint: server.endpoint, maxAttempts: 1 });
    appClient = new DynamoDbDocumentClient({
      ...settings,
      endpoint: server.endpoint,
      maxAttempts: 1,
      connectionTimeoutMs: 1_000,
      requestTimeoutMs: 2_000,
    });
    layers.powertools = new DynamoDBPersistenceLayer({ ...table, awsSdkV3Client: sdkClient });
    layers.app = new DynamoDbIdempotencyStore(appClient, table);
    for (const layer of Object.values(layers)) {
      layer.configure({ config: new IdempotencyConfig(IDEMPOTENCY_CONFIG_OPTIONS) });
    }
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    delete process.env.AWS_LAMBDA_FUNCTION_NAME;
    sdkClient.destroy();
    appClient.destroy();
    await server.stop();
  });

  /** What a layer sent for `work`: each call's operation and body. */
  const sentBy = async (
    layer: BasePersistenceLayer,
    work: (layer: BasePersistenceLayer) => Promise<unknown>,
  ) => {
    server.script(answerWith(200, '{}'));
    await work(layer);
    return server.received.map((received) => ({
      operation: received.headers['x-amz-target'],
      body: JSON.parse(received.body) as unknown,
    }));
  };

  it("takes, completes and releases a key with the same calls as Powertools' layer", async () => {
    const lifecycle = async (layer: BasePersistenceLayer) => {
      await layer.saveInProgress(request, 9_000);
      await layer.saveSuccess(request, response);
      await layer.deleteRecord(request);
    };
    const expected = await sentBy(layers.powertools, lifecycle);
    expect(expected.map((call) => call.operation)).toEqual([
      'DynamoDB_20120810.PutItem',
      'DynamoDB_20120810.UpdateItem',
      'DynamoDB_20120810.DeleteItem',
    ]);
    expect(await sentBy(layers.app, lifecycle)).toEqual(expected);
  });

  /** The stored record of a completed save, as DynamoDB answers it. */
  const storedItem = {
    PK: { S: 'idempotency#save-submission' },
    SK: { S: 'hashed-key' },
    status: { S: 'COMPLETED' },
    [table.expiryAttr]: { N: String(NOW / 1000 + 3600) },
    data: { S: ENCODED_RESPONSE },
    validation: { S: 'hashed-body' },
  };

  it('reads a stored record as that layer does, with a consistent read of the same key', async () => {
    const read = async (layer: BasePersistenceLayer) => {
      server.script(answerWith(200, JSON.stringify({ Item: storedItem })));
      // The payload hash differs from the stored one: the read record is compared and refused.
      const outcome = await layer.getRecord(request).catch((error: unknown) => error);
      return { outcome, sent: server.received.map((received) => received.body) };
    };
    const expected = await read(layers.powertools);
    const actual = await read(layers.app);
    expect(actual.sent).toEqual(expected.sent);
    expect(JSON.parse(actual.sent[0] ?? '{}')).toMatchObject({ ConsistentRead: true });
    expect((actual.outcome as Error).name).toBe('IdempotencyValidationError');
    expect((actual.outcome as Error).message).toBe((expected.outcome as Error).message);
    expect(recordFields(actual.outcome)).toEqual(recordFields(expected.outcome));
  });

  /** What the utility reads of the record an error carries. */
  const recordFields = (error: unknown) => {
    const record = (error as { existingRecord?: IdempotencyRecord }).existingRecord;
    return {
      status: record?.getStatus(),
      expiryTimestamp: record?.expiryTimestamp,
      inProgressExpiryTimestamp: record?.inProgressExpiryTimestamp,
      responseData: record?.responseData,
      payloadHash: record?.payloadHash,
    };
  };

  it('answers a key already taken with the stored record, from the old item DynamoDB returns', async () => {
    const refusedPut = answerWith(
      400,
      JSON.stringify({
        __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException',
        message: 'The conditional request failed',
        Item: storedItem,
      }),
    );
    const taken = async (layer: BasePersistenceLayer) => {
      server.script(refusedPut);
      return layer.saveInProgress(request, 9_000).catch((error: unknown) => error);
    };
    const error = await taken(layers.app);
    expect(error).toBeInstanceOf(IdempotencyItemAlreadyExistsError);
    expect(recordFields(error)).toEqual(recordFields(await taken(layers.powertools)));
    expect(recordFields(error)).toMatchObject({
      status: 'COMPLETED',
      responseData: ENCODED_RESPONSE,
    });
    expect((error as IdempotencyItemAlreadyExistsError).existingRecord?.idempotencyKey).toBe(
      'hashed-key',
    );
  });

  it('passes any other failure on, as that layer does', async () => {
    server.script(
      answerWith(
        400,
        '{"__type":"com.amazonaws.dynamodb.v20120810#ValidationException","message":"bad"}',
      ),
    );
    await expect(layers.app.saveInProgress(request, 9_000)).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });
});
