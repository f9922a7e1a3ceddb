import { createHash } from 'node:crypto';
import { S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  answerWith,
  noAnswer,
  type ScriptedServer,
  startScriptedServer,
} from '../../test/fixtures/scripted-server.js';
import { badlySigned } from '../../test/fixtures/sigv4-verifier.js';
import { isUnavailable } from '../storage-errors.js';
import { S3ObjectClient } from './client.js';

const credentials = { accessKeyId: 'AKID', secretAccessKey: 'SECRET', sessionToken: 'TOKEN' };
/** S3 signs paths as sent. */
const S3_PATHS = { encodePathAgain: false };

describe('presigned links', () => {
  it("signs a GET link as AWS's documented example does (SigV4 query authentication)", async () => {
    const client = new S3ObjectClient({
      region: 'us-east-1',
      endpoint: 'https://s3.amazonaws.com',
      credentials: {
        accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
        secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      },
      forcePathStyle: false,
      maxAttempts: 1,
      connectionTimeoutMs: 1_000,
      requestTimeoutMs: 1_000,
    });
    const url = await client.presignGet(
      { Bucket: 'examplebucket', Key: 'test.txt' },
      {},
      86_400,
      new Date('2013-05-24T00:00:00Z'),
    );
    expect(url).toBe(
      'https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256' +
        '&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request' +
        '&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400' +
        '&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404' +
        '&X-Amz-SignedHeaders=host',
    );
  });

  it('encodes the key and the response headers it asks for, with the session token', async () => {
    const client = new S3ObjectClient({
      region: 'cn-north-1',
      credentials,
      forcePathStyle: false,
      maxAttempts: 1,
      connectionTimeoutMs: 1_000,
      requestTimeoutMs: 1_000,
    });
    const url = new URL(
      await client.presignGet(
        { Bucket: 'ev', Key: "evidence/LIB#1/上传 (1)'.png" },
        { 'response-content-disposition': 'attachment; filename="a.png"' },
        600,
      ),
    );
    expect(url.origin).toBe('https://ev.s3.cn-north-1.amazonaws.com.cn');
    expect(url.pathname).toBe('/evidence/LIB%231/%E4%B8%8A%E4%BC%A0%20%281%29%27.png');
    expect(url.searchParams.get('response-content-disposition')).toBe(
      'attachment; filename="a.png"',
    );
    expect(url.searchParams.get('X-Amz-Security-Token')).toBe('TOKEN');
  });

  it('puts the bucket in the path of an endpoint named by an IP address, or when told to', async () => {
    const at = { Bucket: 'ev', Key: 'a.png' };
    const linkFrom = (options: { endpoint: string; forcePathStyle?: boolean }) =>
      new S3ObjectClient({
        ...options,
        region: 'cn-north-1',
        credentials,
        maxAttempts: 1,
        connectionTimeoutMs: 1_000,
        requestTimeoutMs: 1_000,
      }).presignGet(at, {}, 60);
    expect(new URL(await linkFrom({ endpoint: 'http://127.0.0.1:4569' })).pathname).toBe(
      '/ev/a.png',
    );
    expect(new URL(await linkFrom({ endpoint: 'http://[::1]:4569' })).pathname).toBe('/ev/a.png');
    expect(new URL(await linkFrom({ endpoint: 'https://s3.example.com' })).host).toBe(
      'ev.s3.example.com',
    );
    expect(
      new URL(await linkFrom({ endpoint: 'https://s3.example.com', forcePathStyle: true }))
        .pathname,
    ).toBe('/ev/a.png');
  });

  it.each([
    ['virtual-hosted', false, undefined],
    ['path-style', true, 'http://127.0.0.1:4569'],
  ])(
    "makes the same %s POST policy and signature as the SDK's createPresignedPost",
    async (_style, forcePathStyle, endpoint) => {
      const now = new Date('2026-12-01T10:20:30.456Z');
      const at = { Bucket: 'ev-bucket', Key: 'evidence/LIB#140105/2026/上传 (1).png' };
      const conditions = [
        ['content-length-range', 1, 100],
        ['eq', '$Content-Type', 'image/png'],
        ['eq', '$key', at.Key],
      ];
      const place = {
        region: 'cn-north-1',
        credentials,
        forcePathStyle,
        ...(endpoint && { endpoint }),
      };
      const sdk = new S3Client(place);
      const realNow = Date.now;
      Date.now = () => now.getTime();
      const expected = await createPresignedPost(sdk, {
        ...at,
        Conditions: conditions as never,
        Fields: { 'Content-Type': 'image/png' },
        Expires: 600,
      }).finally(() => {
        Date.now = realNow;
      });
      const ours = new S3ObjectClient({
        ...place,
        maxAttempts: 1,
        connectionTimeoutMs: 1_000,
        requestTimeoutMs: 1_000,
      });
      const post = await ours.presignPost(at, {
        conditions,
        fields: { 'Content-Type': 'image/png' },
        expiresInSeconds: 600,
        now,
      });
      expect(post).toEqual(expected);
      sdk.destroy();
    },
  );
});

describe('calls to S3 (a scripted stand-in on 127.0.0.1)', () => {
  let server: ScriptedServer;
  const errorDocument = (code: string, message: string) =>
    `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message><RequestId>R1</RequestId></Error>`;
  const clientWith = (maxAttempts: number, requestTimeoutMs = 2_000) =>
    new S3ObjectClient({
      endpoint: server.endpoint,
      region: 'cn-north-1',
      credentials,
      forcePathStyle: true,
      maxAttempts,
      connectionTimeoutMs: 1_000,
      requestTimeoutMs,
    });

  beforeAll(async () => {
    server = await startScriptedServer();
  });
  afterAll(() => server.stop());

  it('signs each request with its payload hash and sends what the operation means', async () => {
    const client = clientWith(1);
    const copied = '<CopyObjectResult><ETag>"e1"</ETag></CopyObjectResult>';
    server.script(answerWith(200), answerWith(200, copied), answerWith(200));
    await client.send('PutObject', {
      Bucket: 'rp',
      Key: 'rollups/2026/全省.csv',
      Body: Buffer.from('a,b\n'),
      ContentType: 'text/csv; charset=utf-8',
    });
    await client.send('CopyObject', {
      Bucket: 'ev',
      Key: 'evidence/verified/1.png',
      CopySource: encodeURI('ev/uploads/上传 1.png'),
      CopySourceIfMatch: '"e1"',
    });
    await client.send('PutObjectTagging', {
      Bucket: 'ev',
      Key: 'evidence/1.png',
      TagSet: [{ Key: 'evidence-state', Value: 'deleted & gone' }],
    });
    await client.send('DeleteObject', { Bucket: 'ev', Key: "evidence/a+b #1 (上传)'.png" });
    client.destroy();
    expect(badlySigned(server.received, credentials.secretAccessKey, S3_PATHS)).toEqual([]);

    const [put, copy, tagging, deletion] = server.received;
    expect(put).toMatchObject({
      method: 'PUT',
      url: '/rp/rollups/2026/%E5%85%A8%E7%9C%81.csv',
      body: 'a,b\n',
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'x-amz-content-sha256': createHash('sha256').update('a,b\n').digest('hex'),
        'x-amz-security-token': 'TOKEN',
      },
    });
    expect(put?.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKID\/\d{8}\/cn-north-1\/s3\/aws4_request, SignedHeaders=.*host.*x-amz-content-sha256.*, Signature=[0-9a-f]{64}$/,
    );
    expect(copy).toMatchObject({
      method: 'PUT',
      url: '/ev/evidence/verified/1.png',
      headers: {
        'x-amz-copy-source': 'ev/uploads/%E4%B8%8A%E4%BC%A0%201.png',
        'x-amz-copy-source-if-match': '"e1"',
      },
    });
    expect(tagging?.url).toBe('/ev/evidence/1.png?tagging=');
    expect(tagging?.body).toBe(
      '<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet><Tag><Key>evidence-state</Key>' +
        '<Value>deleted &#38; gone</Value></Tag></TagSet></Tagging>',
    );
    expect(tagging?.headers['content-md5']).toBe(
      createHash('md5')
        .update(tagging?.body ?? '')
        .digest('base64'),
    );
    expect(deletion).toMatchObject({
      method: 'DELETE',
      url: '/ev/evidence/a%2Bb%20%231%20%28%E4%B8%8A%E4%BC%A0%29%27.png',
    });
  });

  it('reads an object as a stream with its ETag, and a HEAD as its size', async () => {
    const client = clientWith(1);
    server.script(answerWith(200, 'bytes', { etag: '"e2"' }));
    const object = await client.send('GetObject', { Bucket: 'ev', Key: 'a.png' });
    const chunks: Buffer[] = [];
    for await (const chunk of object.body) chunks.push(chunk as Buffer);
    expect({ etag: object.etag, body: Buffer.concat(chunks).toString() }).toEqual({
      etag: '"e2"',
      body: 'bytes',
    });
    server.script(answerWith(200, '', { etag: '"e2"', 'content-length': '5' }));
    expect(await client.send('HeadObject', { Bucket: 'ev', Key: 'a.png' })).toEqual({
      contentLength: 5,
      etag: '"e2"',
    });
    expect(badlySigned(server.received, credentials.secretAccessKey, S3_PATHS)).toEqual([]);
    client.destroy();
  });

  it('gives each connection back after a HEAD, found or not, so the next call reuses it', async () => {
    const client = clientWith(1);
    server.script(answerWith(200, '', { 'content-length': '5' }));
    await client.send('HeadObject', { Bucket: 'ev', Key: 'a.png' });
    const found = server.received[0]?.clientPort;
    server.script(answerWith(404, '', { 'content-length': '0' }));
    await client.send('HeadObject', { Bucket: 'ev', Key: 'gone' }).catch(() => undefined);
    await client.send('DeleteObject', { Bucket: 'ev', Key: 'a.png' }).catch(() => undefined);
    const [missing, next] = server.received;
    expect(next?.clientPort).toBe(missing?.clientPort);
    expect(next?.clientPort).toBe(found);
    client.destroy();
  });

  it("names failures as S3 does: the error document's code, or the status of a HEAD", async () => {
    const client = clientWith(3);
    server.script(answerWith(404, errorDocument('NoSuchKey', 'The key &amp; all')));
    await expect(client.send('GetObject', { Bucket: 'ev', Key: 'gone' })).rejects.toMatchObject({
      name: 'NoSuchKey',
      message: 'The key & all',
      $metadata: { httpStatusCode: 404, attempts: 1 },
    });
    server.script(answerWith(404));
    await expect(client.send('HeadObject', { Bucket: 'ev', Key: 'gone' })).rejects.toMatchObject({
      name: 'NotFound',
      $metadata: { httpStatusCode: 404 },
    });
    server.script(answerWith(412, errorDocument('PreconditionFailed', 'At least one condition')));
    await expect(
      client.send('CopyObject', {
        Bucket: 'ev',
        Key: 'b',
        CopySource: 'ev/a',
        CopySourceIfMatch: '"old"',
      }),
    ).rejects.toMatchObject({ name: 'PreconditionFailed', $metadata: { attempts: 1 } });
    // A client error is not retried.
    expect(server.received).toHaveLength(1);
    client.destroy();
  });

  it('retries throttling and server errors with backoff, and then gives the last one', async () => {
    const client = clientWith(3);
    server.script(
      answerWith(503, errorDocument('SlowDown', 'Reduce')),
      answerWith(500),
      answerWith(200),
    );
    await client.send('DeleteObject', { Bucket: 'ev', Key: 'a' });
    expect(server.received).toHaveLength(3);

    server.script(answerWith(503, errorDocument('SlowDown', 'Reduce your request rate')));
    const error = await client.send('DeleteObject', { Bucket: 'ev', Key: 'a' }).catch((e) => e);
    expect(error).toMatchObject({ name: 'SlowDown', $metadata: { attempts: 3 } });
    expect(isUnavailable(error)).toBe(true);
    expect(server.received).toHaveLength(3);
    client.destroy();
  });

  it('reads a copy answered 200 with an error document as the failure it is, and retries it', async () => {
    const client = clientWith(2);
    const copy = {
      Bucket: 'ev',
      Key: 'b',
      CopySource: 'ev/a',
      CopySourceIfMatch: '"e"',
    };
    server.script(
      answerWith(200, errorDocument('InternalError', 'Please try again')),
      answerWith(200, '<CopyObjectResult><ETag>"e"</ETag></CopyObjectResult>'),
    );
    await client.send('CopyObject', copy);
    expect(server.received).toHaveLength(2);

    server.script(answerWith(200, errorDocument('InternalError', 'Please try again')));
    await expect(client.send('CopyObject', copy)).rejects.toMatchObject({
      name: 'InternalError',
      $metadata: { httpStatusCode: 500, attempts: 2 },
    });

    // S3 aborted the copy: 200 and no result.
    server.script(answerWith(200));
    await expect(client.send('CopyObject', copy)).rejects.toMatchObject({
      name: 'InternalError',
      $metadata: { httpStatusCode: 500, attempts: 2 },
    });
    client.destroy();
  });

  it('gives up on an answer that does not come within the request timeout, as a retryable failure', async () => {
    const client = clientWith(2, 200);
    server.script(noAnswer);
    const error = await client.send('HeadObject', { Bucket: 'ev', Key: 'a' }).catch((e) => e);
    expect(error).toMatchObject({ name: 'TimeoutError' });
    expect(isUnavailable(error)).toBe(true);
    expect(server.received).toHaveLength(2);
    client.destroy();
  });
});
