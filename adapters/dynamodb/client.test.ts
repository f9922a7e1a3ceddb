import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  answerWith,
  type ScriptedAnswer,
  type ScriptedServer,
  startScriptedServer,
} from '../../test/fixtures/scripted-server.js';
import { badlySigned } from '../../test/fixtures/sigv4-verifier.js';
import { isUnavailable } from '../storage-errors.js';
import {
  DynamoDbDocumentClient,
  type DynamoDbOperationName,
  type DynamoDbOperations,
  isConditionFailure,
} from './client.js';

const credentials = { accessKeyId: 'AKID', secretAccessKey: 'SECRET', sessionToken: 'TOKEN' };
/** DynamoDB, unlike S3, signs the path URI-encoded once more. */
const DYNAMODB_PATHS = { encodePathAgain: true };
const JSON_1_0 = { 'content-type': 'application/x-amz-json-1.0' };

/** DynamoDB's success: the answer as JSON. */
const answerJson = (body: object) => answerWith(200, JSON.stringify(body), JSON_1_0);
/** DynamoDB's error: named by `__type`, with further members (`Item`, `CancellationReasons`). */
const answerError = (status: number, type: string, members: object = {}) =>
  answerWith(
    status,
    JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, ...members }),
    { ...JSON_1_0, 'x-amzn-requestid': 'REQ1' },
  );

const S = (S: string) => ({ S });
const N = (value: number) => ({ N: String(value) });

/**
 * One operation's input, its members that go on the wire converted (the others go as given),
 * DynamoDB's answer, and what the caller gets of it.
 */
const conversion = <Name extends DynamoDbOperationName>(
  operation: Name,
  input: DynamoDbOperations[Name]['input'],
  converted: object,
  answer: object = {},
  output: object = {},
) => {
  const anyInput: DynamoDbOperations[DynamoDbOperationName]['input'] = input;
  const sent = { ...input, ...converted };
  return { operation: operation as DynamoDbOperationName, input: anyInput, sent, answer, output };
};

/** A batch's writes, as the caller gives them and as they go on the wire. */
const writes = [
  { PutRequest: { Item: { PK: 'a', n: 1 } } },
  { DeleteRequest: { Key: { PK: 'b' } } },
];
const wireWrites = [
  { PutRequest: { Item: { PK: S('a'), n: N(1) } } },
  { DeleteRequest: { Key: { PK: S('b') } } },
];

const conversions = [
  conversion(
    'PutItem',
    {
      TableName: 't',
      Item: { PK: 'LIB#1', name: '图书馆', n: 2, gone: undefined, tags: ['a'] },
      ConditionExpression: 'attribute_not_exists(PK) OR n < :n',
      ExpressionAttributeValues: { ':n': 2, ':unused': undefined },
    },
    {
      Item: { PK: S('LIB#1'), name: S('图书馆'), n: N(2), tags: { L: [S('a')] } },
      ExpressionAttributeValues: { ':n': N(2) },
    },
  ),
  conversion(
    'UpdateItem',
    {
      TableName: 't',
      Key: { PK: 'LIB#1', SK: 'HEAD' },
      UpdateExpression: 'SET n = :n, s = :s',
      ExpressionAttributeValues: { ':n': 4, ':s': 'draft' },
      ReturnValues: 'ALL_NEW',
    },
    {
      Key: { PK: S('LIB#1'), SK: S('HEAD') },
      ExpressionAttributeValues: { ':n': N(4), ':s': S('draft') },
    },
    { Attributes: { PK: S('LIB#1'), n: N(4), s: S('draft') } },
    { Attributes: { PK: 'LIB#1', n: 4, s: 'draft' } },
  ),
  conversion(
    'Query',
    {
      TableName: 't',
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': 'LIB#1' },
      ExclusiveStartKey: { PK: 'LIB#1', SK: 'A' },
      Limit: 1,
    },
    {
      ExpressionAttributeValues: { ':pk': S('LIB#1') },
      ExclusiveStartKey: { PK: S('LIB#1'), SK: S('A') },
    },
    {
      Items: [{ PK: S('LIB#1'), SK: S('B'), n: N(1) }],
      Count: 1,
      LastEvaluatedKey: { PK: S('LIB#1'), SK: S('B') },
    },
    {
      Items: [{ PK: 'LIB#1', SK: 'B', n: 1 }],
      Count: 1,
      LastEvaluatedKey: { PK: 'LIB#1', SK: 'B' },
    },
  ),
  conversion(
    'BatchGetItem',
    { RequestItems: { t: { Keys: [{ PK: 'LIB#1' }, { PK: 'LIB#2' }], ConsistentRead: true } } },
    {
      RequestItems: { t: { Keys: [{ PK: S('LIB#1') }, { PK: S('LIB#2') }], ConsistentRead: true } },
    },
    {
      Responses: { t: [{ PK: S('LIB#1'), n: N(7) }] },
      UnprocessedKeys: { t: { Keys: [{ PK: S('LIB#2') }], ConsistentRead: true } },
    },
    {
      Responses: { t: [{ PK: 'LIB#1', n: 7 }] },
      UnprocessedKeys: { t: { Keys: [{ PK: 'LIB#2' }], ConsistentRead: true } },
    },
  ),
  conversion(
    'BatchWriteItem',
    { RequestItems: { t: writes } },
    { RequestItems: { t: wireWrites } },
    { UnprocessedItems: { t: wireWrites } },
    { UnprocessedItems: { t: writes } },
  ),
  conversion(
    'TransactWriteItems',
    {
      ClientRequestToken: 'caller-token',
      TransactItems: [
        { Put: { TableName: 't', Item: { PK: 'a', n: 1 } } },
        {
          Update: {
            TableName: 't',
            Key: { PK: 'b' },
            UpdateExpression: 'SET n = :n',
            ExpressionAttributeValues: { ':n': 2 },
          },
        },
        { ConditionCheck: { TableName: 't', Key: { PK: 'c' }, ConditionExpression: 'n > :n' } },
        { Delete: { TableName: 't', Key: { PK: 'd' } } },
      ],
    },
    {
      TransactItems: [
        { Put: { TableName: 't', Item: { PK: S('a'), n: N(1) } } },
        {
          Update: {
            TableName: 't',
            Key: { PK: S('b') },
            UpdateExpression: 'SET n = :n',
            ExpressionAttributeValues: { ':n': N(2) },
          },
        },
        { ConditionCheck: { TableName: 't', Key: { PK: S('c') }, ConditionExpression: 'n > :n' } },
        { Delete: { TableName: 't', Key: { PK: S('d') } } },
      ],
    },
  ),
];

describe('DynamoDB calls (a scripted stand-in on 127.0.0.1)', () => {
  let server: ScriptedServer;
  let client: DynamoDbDocumentClient;
  const sentBody = (index = 0): unknown => JSON.parse(server.received[index]?.body ?? 'null');
  const transaction = (ClientRequestToken?: string) =>
    client.send('TransactWriteItems', {
      ...(ClientRequestToken === undefined ? {} : { ClientRequestToken }),
      TransactItems: [{ Delete: { TableName: 't', Key: { PK: 'a' } } }],
    });
  const getItem = () => client.send('GetItem', { TableName: 't', Key: { PK: 'a' } });

  beforeAll(async () => {
    server = await startScriptedServer();
    client = new DynamoDbDocumentClient({
      endpoint: server.endpoint,
      region: 'cn-north-1',
      credentials,
      maxAttempts: 3,
      connectionTimeoutMs: 1_000,
      requestTimeoutMs: 2_000,
    });
  });
  afterAll(async () => {
    client.destroy();
    await server.stop();
  });

  it("posts the operation in DynamoDB's JSON protocol, signed for dynamodb, and reads the item back", async () => {
    server.script(answerJson({ Item: { PK: S('LIB#1'), SK: S('HEAD'), n: N(3) } }));
    const answer = await client.send('GetItem', {
      TableName: 'library',
      Key: { PK: 'LIB#1', SK: 'HEAD' },
      ConsistentRead: true,
    });
    expect(answer).toEqual({ Item: { PK: 'LIB#1', SK: 'HEAD', n: 3 } });
    expect(server.received).toEqual([
      expect.objectContaining({
        method: 'POST',
        url: '/',
        headers: expect.objectContaining({
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': 'DynamoDB_20120810.GetItem',
          'x-amz-security-token': 'TOKEN',
          authorization: expect.stringMatching(
            /^AWS4-HMAC-SHA256 Credential=AKID\/\d{8}\/cn-north-1\/dynamodb\/aws4_request, SignedHeaders=[^,]*x-amz-target[^,]*, /,
          ),
        }),
      }),
    ]);
    expect(sentBody()).toEqual({
      TableName: 'library',
      Key: { PK: { S: 'LIB#1' }, SK: { S: 'HEAD' } },
      ConsistentRead: true,
    });
    expect(badlySigned(server.received, credentials.secretAccessKey, DYNAMODB_PATHS)).toEqual([]);
  });

  it.each(conversions)(
    "converts $operation's items to attribute values and its answer's back",
    async ({ operation, input, sent, answer, output }) => {
      server.script(answerJson(answer));
      expect(await client.send(operation, input)).toEqual(output);
      expect(server.received[0]?.headers['x-amz-target']).toBe(`DynamoDB_20120810.${operation}`);
      expect(sentBody()).toEqual(sent);
      expect(badlySigned(server.received, credentials.secretAccessKey, DYNAMODB_PATHS)).toEqual([]);
    },
  );

  it('gives a transaction a request token of its own unless the caller gives one', async () => {
    server.script(answerJson({}));
    await transaction();
    await transaction();
    await transaction('mine');
    const tokens = server.received.map(
      (request) =>
        (JSON.parse(request.body) as { ClientRequestToken?: unknown }).ClientRequestToken,
    );
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    expect(tokens).toEqual([expect.stringMatching(uuid), expect.stringMatching(uuid), 'mine']);
    expect(tokens[1]).not.toBe(tokens[0]);
  });

  it('sends a retried transaction again with the same token, so DynamoDB applies it once', async () => {
    server.script(
      answerWith(500, '{}', JSON_1_0),
      answerError(400, 'ThrottlingException', { message: 'Rate of requests exceeds' }),
      answerJson({}),
    );
    await transaction();
    expect(server.received).toHaveLength(3);
    const [first, ...retries] = server.received.map((request) => request.body);
    expect(first).toContain('"ClientRequestToken":');
    expect(retries).toEqual([first, first]);
  });

  it('names a failed condition from __type, with the old item, and does not retry it', async () => {
    server.script(
      answerError(400, 'ConditionalCheckFailedException', {
        message: 'The conditional request failed',
        Item: { PK: S('x') },
      }),
    );
    const error = await getItem().catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      name: 'ConditionalCheckFailedException',
      message: 'The conditional request failed',
      $metadata: { httpStatusCode: 400, requestId: 'REQ1', attempts: 1 },
    });
    expect((error as { Item?: unknown }).Item).toEqual({ PK: 'x' });
    expect(isConditionFailure(error)).toBe(true);
    expect(isUnavailable(error)).toBe(false);
    expect(server.received).toHaveLength(1);
  });

  it("sets a cancelled transaction's reasons on its error, their items converted", async () => {
    server.script(
      answerError(400, 'TransactionCanceledException', {
        Message: 'Transaction cancelled [ConditionalCheckFailed, None]',
        CancellationReasons: [
          { Code: 'ConditionalCheckFailed', Message: 'failed', Item: { n: N(5) } },
          { Code: 'None' },
        ],
      }),
    );
    const error = await transaction().catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      name: 'TransactionCanceledException',
      message: 'Transaction cancelled [ConditionalCheckFailed, None]',
    });
    expect((error as { CancellationReasons?: unknown }).CancellationReasons).toEqual([
      { Code: 'ConditionalCheckFailed', Message: 'failed', Item: { n: 5 } },
      { Code: 'None' },
    ]);
    expect(isConditionFailure(error)).toBe(false);
    expect(server.received).toHaveLength(1);
  });

  it("names an answer that is not DynamoDB's (a proxy's 502 page) by its status, and retries it", async () => {
    const badGateway = answerWith(502, '<html>Bad Gateway</html>', { 'content-type': 'text/html' });
    server.script(badGateway, answerJson({ Item: { PK: S('a') } }));
    expect(await getItem()).toEqual({ Item: { PK: 'a' } });
    expect(server.received).toHaveLength(2);

    server.script(badGateway);
    await expect(getItem()).rejects.toMatchObject({
      name: 'Http502',
      $metadata: { httpStatusCode: 502, attempts: 3 },
    });
  });

  it('retries an answer whose connection was cut in the middle of its body', async () => {
    const cut: ScriptedAnswer = (response) => {
      response.writeHead(200, { ...JSON_1_0, 'content-length': '1000' });
      response.write('{"Item":{"PK":');
      setTimeout(() => response.socket?.destroy(), 20);
    };
    server.script(cut, answerJson({ Item: { PK: S('a') } }));
    expect(await getItem()).toEqual({ Item: { PK: 'a' } });
    expect(server.received).toHaveLength(2);
  });

  it('names an error by x-amzn-errortype when the body has none', async () => {
    server.script(
      answerWith(400, '', {
        'x-amzn-errortype': 'ValidationException:http://internal.amazon.com/coral/validate/',
      }),
    );
    await expect(getItem()).rejects.toMatchObject({
      name: 'ValidationException',
      $metadata: { httpStatusCode: 400, attempts: 1 },
    });
    expect(server.received).toHaveLength(1);
  });

  it('retries throttling up to maxAttempts, and then gives the last failure', async () => {
    server.script(
      answerError(400, 'ProvisionedThroughputExceededException', { message: 'Throughput' }),
    );
    const error = await getItem().catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      name: 'ProvisionedThroughputExceededException',
      $metadata: { httpStatusCode: 400, attempts: 3 },
    });
    expect(isUnavailable(error)).toBe(true);
    expect(server.received).toHaveLength(3);
  });

  it('goes to AWS_ENDPOINT_URL_DYNAMODB when given no endpoint', async () => {
    const saved = {
      AWS_ENDPOINT_URL_DYNAMODB: process.env.AWS_ENDPOINT_URL_DYNAMODB,
      AWS_ENDPOINT_URL: process.env.AWS_ENDPOINT_URL,
    };
    // The service's own variable comes before the general one.
    process.env.AWS_ENDPOINT_URL_DYNAMODB = server.endpoint;
    process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:9';
    const fromEnvironment = new DynamoDbDocumentClient({
      region: 'cn-north-1',
      credentials,
      maxAttempts: 1,
      connectionTimeoutMs: 1_000,
      requestTimeoutMs: 2_000,
    });
    try {
      server.script(answerJson({ Item: { PK: S('a') } }));
      expect(await fromEnvironment.send('GetItem', { TableName: 't', Key: { PK: 'a' } })).toEqual({
        Item: { PK: 'a' },
      });
      expect(server.received).toHaveLength(1);
      expect(server.received[0]?.headers.host).toBe(new URL(server.endpoint).host);
    } finally {
      fromEnvironment.destroy();
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });
});
