import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  answerWith,
  type ScriptedServer,
  startScriptedServer,
} from '../../test/fixtures/scripted-server.js';
import { badlySigned } from '../../test/fixtures/sigv4-verifier.js';
import { isUnavailable } from '../storage-errors.js';
import { LambdaInvokeClient } from './client.js';

describe('Lambda Invoke (a scripted stand-in on 127.0.0.1)', () => {
  let server: ScriptedServer;
  let client: LambdaInvokeClient;
  const invoke = (FunctionName = 'run-rollup') =>
    client.send('Invoke', {
      FunctionName,
      InvocationType: 'Event',
      Payload: Buffer.from('{"period":"2026"}'),
    });
  const throttled = answerWith(429, '{"Type":"User","message":"Rate Exceeded."}', {
    'x-amzn-errortype': 'TooManyRequestsException:http://internal.amazon.com/coral/x/',
  });

  beforeAll(async () => {
    server = await startScriptedServer();
    client = new LambdaInvokeClient({
      endpoint: server.endpoint,
      region: 'cn-north-1',
      credentials: { accessKeyId: 'AKID', secretAccessKey: 'SECRET' },
      maxAttempts: 3,
      connectionTimeoutMs: 1_000,
      requestTimeoutMs: 2_000,
    });
  });
  afterAll(async () => {
    client.destroy();
    await server.stop();
  });

  it('posts the payload as an asynchronous invocation, signed for lambda, the ARN encoded in the path', async () => {
    server.script(answerWith(202));
    expect(await invoke('arn:aws-cn:lambda:cn-north-1:123456789012:function:run-rollup')).toEqual({
      StatusCode: 202,
      Payload: '',
    });
    expect(server.received).toEqual([
      expect.objectContaining({
        method: 'POST',
        url: '/2015-03-31/functions/arn%3Aaws-cn%3Alambda%3Acn-north-1%3A123456789012%3Afunction%3Arun-rollup/invocations',
        body: '{"period":"2026"}',
        headers: expect.objectContaining({
          'x-amz-invocation-type': 'Event',
          authorization: expect.stringMatching(
            /^AWS4-HMAC-SHA256 Credential=AKID\/\d{8}\/cn-north-1\/lambda\/aws4_request, /,
          ),
        }),
      }),
    ]);
    // Lambda, unlike S3, signs the path URI-encoded once more.
    expect(badlySigned(server.received, 'SECRET', { encodePathAgain: true })).toEqual([]);
  });

  it('retries throttling, and names the error Lambda names in x-amzn-errortype', async () => {
    server.script(throttled, answerWith(202));
    expect(await invoke()).toMatchObject({ StatusCode: 202 });
    expect(server.received).toHaveLength(2);

    server.script(throttled);
    const error = await invoke().catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      name: 'TooManyRequestsException',
      message: 'Rate Exceeded.',
      $metadata: { httpStatusCode: 429, attempts: 3 },
    });
    expect(isUnavailable(error)).toBe(true);

    server.script(
      answerWith(404, '{"Message":"Function not found: run-rollup"}', {
        'x-amzn-errortype': 'ResourceNotFoundException',
      }),
    );
    await expect(invoke()).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Function not found: run-rollup',
      $metadata: { attempts: 1 },
    });
  });
});
