import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DynamoDbDocumentClient } from '../adapters/dynamodb/client.js';
import { LambdaInvokeClient } from '../adapters/lambda/client.js';
import { S3ObjectClient } from '../adapters/s3/client.js';
import { type FunctionDefinition, functions } from '../functions/routes.js';
import { permissionsOf } from '../infra/permissions.js';
import {
  answerWith,
  type ScriptedServer,
  startScriptedServer,
} from '../test/fixtures/scripted-server.js';
import { createIamGuard, refusalOf } from './iam-guard.js';

const resources = { tableName: 'reports', buckets: { evidence: 'ev', reports: 'rp' } };
const callerOf = (entry: string) => {
  const definition = (functions as readonly FunctionDefinition[]).find(
    (candidate) => candidate.entry === entry,
  );
  if (!definition) throw new Error(entry);
  return { entry, permissions: permissionsOf(definition), resources };
};
const refusal = (entry: string, service: string, operation: string, input: object) =>
  refusalOf(callerOf(entry), service, operation, { ...input });

describe('refusalOf', () => {
  it('allows the reads of a read function and refuses its writes', () => {
    expect(refusal('get-submission', 'DynamoDB', 'GetItem', { TableName: 'reports' })).toBe(
      undefined,
    );
    expect(
      refusal('get-submission', 'DynamoDB', 'BatchGetItem', { RequestItems: { reports: {} } }),
    ).toBe(undefined);
    expect(refusal('get-submission', 'DynamoDB', 'PutItem', { TableName: 'reports' })).toMatch(
      'get-submission is not authorized to perform dynamodb:PutItem on table reports',
    );
  });

  it('checks another table, an index and a function without table access', () => {
    expect(refusal('get-submission', 'DynamoDB', 'GetItem', { TableName: 'other' })).toMatch(
      /dynamodb:GetItem on table other/,
    );
    expect(
      refusal('list-submissions', 'DynamoDB', 'Query', { TableName: 'reports', IndexName: 'GSI1' }),
    ).toBe(undefined);
    expect(refusal('get-form', 'DynamoDB', 'Query', { TableName: 'reports' })).toMatch(
      /get-form is not authorized to perform dynamodb:Query/,
    );
  });

  it('authorizes each item of a transaction by its own action', () => {
    const transaction = (kind: string, partition = 'LIB#1') => ({
      TransactItems: [
        { Put: { TableName: 'reports', Item: { PK: 'LIB#1', SK: 'A' } } },
        { [kind]: { TableName: 'reports', Key: { PK: partition, SK: 'B' } } },
      ],
    });
    const send = (entry: string, items: ReturnType<typeof transaction>) =>
      refusal(entry, 'DynamoDB', 'TransactWriteItems', items);
    expect(send('save-submission', transaction('Update'))).toBe(undefined);
    expect(send('save-submission', transaction('ConditionCheck'))).toBe(undefined);
    // A check is a write action: only in the partitions the function writes.
    expect(send('save-submission', transaction('ConditionCheck', 'PERIOD#f#2026'))).toMatch(
      /dynamodb:ConditionCheckItem on table reports \(partition PERIOD#f#2026\)/,
    );
    expect(send('get-submission', transaction('ConditionCheck'))).toMatch(
      /get-submission is not authorized to perform dynamodb:PutItem/,
    );
  });

  it('reads the partition of each put and delete of a batch write', () => {
    const batch = {
      RequestItems: {
        reports: [
          { PutRequest: { Item: { PK: 'ROLLUP#f#2025', SK: 'RUN#1' } } },
          { DeleteRequest: { Key: { PK: 'LIB#140521', SK: 'X' } } },
        ],
      },
    };
    expect(refusal('run-rollup', 'DynamoDB', 'BatchWriteItem', batch)).toMatch(
      /dynamodb:BatchWriteItem on table reports \(partition ROLLUP#f#2025, LIB#140521\)/,
    );
  });

  it('lets the rollup write only rollup run partitions', () => {
    const put = (PK: string) => ({ TableName: 'reports', Item: { PK, SK: 'RUN#1' } });
    expect(refusal('run-rollup', 'DynamoDB', 'PutItem', put('ROLLUP#f#2025'))).toBe(undefined);
    expect(refusal('run-rollup', 'DynamoDB', 'PutItem', put('LIB#140521'))).toMatch(
      /dynamodb:PutItem on table reports \(partition LIB#140521\)/,
    );
  });

  it('lets each writing function write only the partitions it names', () => {
    const put = (PK: string) => ({ TableName: 'reports', Item: { PK, SK: 'X' } });
    expect(refusal('save-submission', 'DynamoDB', 'PutItem', put('LIB#140521'))).toBe(undefined);
    expect(
      refusal('save-submission', 'DynamoDB', 'PutItem', put('idempotency#save-submission')),
    ).toBe(undefined);
    expect(
      refusal('presign-evidence', 'DynamoDB', 'PutItem', put('idempotency#save-submission')),
    ).toMatch(
      /presign-evidence is not authorized to perform dynamodb:PutItem .*idempotency#save-submission/,
    );
    expect(refusal('presign-evidence', 'DynamoDB', 'PutItem', put('REGISTRY'))).toMatch(
      /partition REGISTRY/,
    );
    expect(refusal('manage-period', 'DynamoDB', 'PutItem', put('PERIOD#f#2025'))).toBe(undefined);
    expect(refusal('manage-period', 'DynamoDB', 'PutItem', put('LIB#140521'))).toMatch(
      /manage-period is not authorized/,
    );
  });

  it('reads a copy as a read of its source and a write of the copy', () => {
    const copy = (CopySource: string, Key: string) => ({ Bucket: 'ev', CopySource, Key });
    expect(
      refusal('verify-evidence', 'S3', 'CopyObject', copy('ev/uploads/1/a', 'evidence/1/a')),
    ).toBe(undefined);
    // Only verification copies, and only from an upload to evidence/.
    expect(
      refusal('verify-evidence', 'S3', 'CopyObject', copy('ev/evidence/1/a', 'uploads/1/a')),
    ).toMatch(/s3:PutObject on object ev\/uploads\/1\/a/);
    expect(
      refusal('presign-evidence', 'S3', 'CopyObject', copy('ev/uploads/1/a', 'evidence/1/a')),
    ).toMatch(/presign-evidence is not authorized to perform s3:GetObject/);
  });

  it('keeps object actions to their bucket and prefix', () => {
    const object = (Bucket: string, Key: string) => ({ Bucket, Key });
    expect(refusal('verify-evidence', 'S3', 'HeadObject', object('ev', 'evidence/a.jpg'))).toBe(
      undefined,
    );
    expect(refusal('verify-evidence', 'S3', 'GetObject', object('ev', 'other/a.jpg'))).toMatch(
      /s3:GetObject on object ev\/other\/a.jpg/,
    );
    expect(refusal('verify-evidence', 'S3', 'GetObject', object('rp', 'evidence/a.jpg'))).toMatch(
      /s3:GetObject/,
    );
    expect(refusal('list-evidence', 'S3', 'PutObject', object('ev', 'evidence/a.jpg'))).toMatch(
      /list-evidence is not authorized to perform s3:PutObject/,
    );
  });

  it('lets only the starter invoke, and only the worker', () => {
    const invoke = (FunctionName: string) => ({ FunctionName });
    expect(refusal('start-rollup', 'Lambda', 'Invoke', invoke('run-rollup'))).toBe(undefined);
    expect(
      refusal('start-rollup', 'Lambda', 'Invoke', invoke('arn:aws:lambda:x:1:function:health')),
    ).toMatch(/lambda:InvokeFunction on function health/);
    expect(refusal('get-rollup', 'Lambda', 'Invoke', invoke('run-rollup'))).toMatch(
      /get-rollup is not authorized/,
    );
  });

  it('refuses an operation it does not know, so a new kind of call gets looked at', () => {
    expect(refusal('health', 'DynamoDB', 'DeleteTable', { TableName: 'reports' })).toMatch(
      'health called DynamoDB DeleteTable, which the local IAM guard does not know',
    );
  });
});

describe('createIamGuard', () => {
  const guard = createIamGuard(functions, resources);
  // Nothing listens here: a call the guard lets through fails on the network instead.
  const endpoint = 'http://127.0.0.1:9';
  const credentials = { accessKeyId: 'a', secretAccessKey: 'b' };
  const documents = new DynamoDbDocumentClient({
    endpoint,
    region: 'cn-north-1',
    credentials,
    maxAttempts: 1,
    connectionTimeoutMs: 1_000,
    requestTimeoutMs: 2_000,
  });
  afterAll(() => documents.destroy());

  it('refuses a call the running function may not make, before it is sent', async () => {
    const put = { TableName: 'reports', Item: { PK: 'LIB#1', SK: 'A' } };
    await expect(
      guard.runAs('get-submission', () => documents.send('PutItem', put)),
    ).rejects.toMatchObject({
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 400 },
    });
    expect(guard.refusals().at(-1)).toMatch(/get-submission .* dynamodb:PutItem/);
  });

  it('lets allowed calls and calls outside any function through', async () => {
    const batch = { RequestItems: { reports: { Keys: [{ PK: 'a', SK: 'b' }] } } };
    await expect(
      guard.runAs('get-submission', () => documents.send('BatchGetItem', batch)),
    ).rejects.toThrow(/ECONNREFUSED/);
    await expect(
      documents.send('GetItem', { TableName: 'x', Key: { PK: 'a', SK: 'b' } }),
    ).rejects.toThrow(/ECONNREFUSED/);
  });

  describe("the app's own S3 and Lambda clients", () => {
    // An S3 and Lambda stand-in that has nothing: every request is answered 404.
    let server: ScriptedServer;
    let s3: S3ObjectClient;
    let lambda: LambdaInvokeClient;
    beforeAll(async () => {
      server = await startScriptedServer();
      server.script(
        answerWith(
          404,
          '<?xml version="1.0"?><Error><Code>NoSuchKey</Code><Message>none</Message></Error>',
        ),
      );
      const settings = {
        endpoint: server.endpoint,
        region: 'cn-north-1',
        credentials,
        maxAttempts: 1,
        connectionTimeoutMs: 1_000,
        requestTimeoutMs: 2_000,
      };
      s3 = new S3ObjectClient({ ...settings, forcePathStyle: true });
      lambda = new LambdaInvokeClient(settings);
    });
    const invokeRollup = () =>
      lambda.send('Invoke', {
        FunctionName: 'run-rollup',
        InvocationType: 'Event',
        Payload: Buffer.from('{}'),
      });
    afterAll(async () => {
      s3.destroy();
      lambda.destroy();
      await server.stop();
    });

    it('answers a missing object with 403 unless the function may list the bucket, as S3 does', async () => {
      const missing = { $metadata: { httpStatusCode: 404 } };
      await expect(
        guard.runAs('get-rollup', () =>
          s3.send('GetObject', { Bucket: 'rp', Key: 'rollups/latest.json' }),
        ),
      ).rejects.toMatchObject({ name: 'NoSuchKey', ...missing });
      await expect(
        guard.runAs('verify-evidence', () =>
          s3.send('HeadObject', { Bucket: 'ev', Key: 'evidence/a.jpg' }),
        ),
      ).rejects.toMatchObject({ name: 'NotFound', ...missing });
      await expect(
        guard.runAs('list-evidence', () =>
          s3.send('GetObject', { Bucket: 'ev', Key: 'evidence/a.jpg' }),
        ),
      ).rejects.toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    });

    it('refuses an S3 write or an invocation the function may not make, before it is sent', async () => {
      const before = server.received.length;
      await expect(
        guard.runAs('list-evidence', () =>
          s3.send('PutObject', {
            Bucket: 'rp',
            Key: 'rollups/x.csv',
            Body: Buffer.from('x'),
            ContentType: 'text/csv',
          }),
        ),
      ).rejects.toMatchObject({ name: 'AccessDenied' });
      await expect(guard.runAs('get-rollup', invokeRollup)).rejects.toMatchObject({
        name: 'AccessDeniedException',
      });
      expect(server.received.length).toBe(before);
      expect(guard.refusals().at(-1)).toMatch(/get-rollup .* lambda:InvokeFunction/);
    });

    it('lets the invocation start-rollup may make through', async () => {
      await expect(guard.runAs('start-rollup', invokeRollup)).rejects.toMatchObject({
        $metadata: { httpStatusCode: 404 },
      });
      expect(server.received.at(-1)?.url).toBe('/2015-03-31/functions/run-rollup/invocations');
    });
  });
});
