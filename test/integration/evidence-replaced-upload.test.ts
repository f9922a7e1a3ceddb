/**
 * The conditional copy of evidence verification against the real emulator: s3rver itself
 * ignores `x-amz-copy-source-if-*`, and the local stack makes it answer as S3 does
 * (local/s3-copy-conditions.ts). First CopyObject straight to the shared stack's s3rver, then
 * the replaced-upload path end to end: a stack of its own whose handlers reach s3rver through
 * an HTTP proxy that holds verification's copy while the test sends other bytes through the
 * same upload link. Library 140829 and period 2049 there; the shared stack only gets objects
 * under `copy-conditions/`.
 */

import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request as forwardRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CopyObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { S3EvidenceStorage } from '../../adapters/s3/evidence-storage.js';
import { buckets } from '../../infra/resources.js';
import { loadOrCreateSigningKey, signDevToken } from '../../local/jwt.js';
import { freePort } from '../../local/tools.js';
import { pngImage } from '../fixtures/png.js';
import { type StackProcess, startStackProcess, stopStackProcess } from './global-setup.js';
import { uploadTo } from './presigned-upload.js';
import { answerJson, appS3Client, requestTo, s3Client } from './support.js';

const md5Of = (bytes: Uint8Array) => `"${createHash('md5').update(bytes).digest('hex')}"`;
const sha256Of = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** The error a call failed with; fails the test if it succeeded. */
const rejectionOf = async (attempt: Promise<unknown>): Promise<unknown> =>
  attempt.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: unknown) => error,
  );

// ---------------------------------------------------------------------------------------------

describe('CopyObject with x-amz-copy-source-if-* on the local s3rver', () => {
  const s3 = s3Client();
  const bucket = buckets.evidence;
  const prefix = `copy-conditions/${randomUUID()}`;
  const sourceKey = `${prefix}/上传 1.png`;
  const copySource = encodeURI(`${bucket}/${sourceKey}`);
  const first = Buffer.from('the bytes that were checked');
  const second = Buffer.from('other bytes, sent through the same link afterwards');
  let staleEtag: string;
  let currentEtag: string;

  const bodyOf = async (key: string) => {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return Buffer.from((await object.Body?.transformToByteArray()) ?? []);
  };
  const put = async (body: Buffer) =>
    (await s3.send(new PutObjectCommand({ Bucket: bucket, Key: sourceKey, Body: body }))).ETag ??
    '';

  beforeAll(async () => {
    staleEtag = await put(first);
    currentEtag = await put(second);
    expect([staleEtag, currentEtag]).toEqual([md5Of(first), md5Of(second)]);
  });
  afterAll(() => s3.destroy());

  it.each([
    ['the current ETag, quoted as S3 returns it', () => currentEtag],
    ['the current ETag unquoted', () => currentEtag.replaceAll('"', '')],
    ['*', () => '*'],
  ])('If-Match with %s: copied', async (_case, etag) => {
    const Key = `${prefix}/copy-${randomUUID()}`;
    await s3.send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key,
        CopySource: copySource,
        CopySourceIfMatch: etag(),
      }),
    );
    expect((await bodyOf(Key)).equals(second)).toBe(true);
  });

  it('If-Match with a stale ETag: PreconditionFailed (412), as S3 answers, and nothing copied', async () => {
    const Key = `${prefix}/copy-${randomUUID()}`;
    const error = await rejectionOf(
      s3.send(
        new CopyObjectCommand({
          Bucket: bucket,
          Key,
          CopySource: copySource,
          CopySourceIfMatch: staleEtag,
        }),
      ),
    );
    expect(error).toMatchObject({
      name: 'PreconditionFailed',
      $metadata: { httpStatusCode: 412 },
      message: 'At least one of the pre-conditions you specified did not hold',
      Condition: 'x-amz-copy-source-If-Match',
    });
    const head = await rejectionOf(s3.send(new HeadObjectCommand({ Bucket: bucket, Key })));
    expect(head).toMatchObject({ name: 'NotFound' });
  });

  it('If-None-Match: refused with the current ETag (412), copied with a stale one', async () => {
    const Key = `${prefix}/copy-${randomUUID()}`;
    const copy = (etag: string) =>
      s3.send(
        new CopyObjectCommand({
          Bucket: bucket,
          Key,
          CopySource: copySource,
          CopySourceIfNoneMatch: etag,
        }),
      );
    expect(await rejectionOf(copy(currentEtag))).toMatchObject({
      name: 'PreconditionFailed',
      $metadata: { httpStatusCode: 412 },
      Condition: 'x-amz-copy-source-If-None-Match',
    });
    await copy(staleEtag);
    expect((await bodyOf(Key)).equals(second)).toBe(true);
  });

  it('a missing source is NoSuchKey whatever the condition, as in S3', async () => {
    const error = await rejectionOf(
      s3.send(
        new CopyObjectCommand({
          Bucket: bucket,
          Key: `${prefix}/copy-${randomUUID()}`,
          CopySource: encodeURI(`${bucket}/${prefix}/never uploaded`),
          CopySourceIfMatch: currentEtag,
        }),
      ),
    );
    expect(error).toMatchObject({ name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
  });

  it('the evidence adapter copies the version it read and reports a replaced one', async () => {
    const storage = new S3EvidenceStorage(appS3Client(), bucket);
    const target = `${prefix}/verified-${randomUUID()}`;
    expect(await storage.copy(sourceKey, target, staleEtag)).toBe(false);
    expect(await storage.copy(sourceKey, target, currentEtag)).toBe(true);
    expect((await bodyOf(target)).equals(second)).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------

interface SeenCopy {
  ifMatch: string | undefined;
  status: number;
}

/** A promise and the function that settles it. */
const signal = () => {
  let settle = (): void => undefined;
  const settled = new Promise<void>((resolve) => {
    settle = resolve;
  });
  return { settled, settle: () => settle() };
};

/**
 * An HTTP proxy in front of s3rver that can hold the next CopyObject until the test releases
 * it: the moment between verification's read and its copy, made as long as the test needs.
 */
const startCopyHoldingProxy = async (upstreamPort: number) => {
  const copies: SeenCopy[] = [];
  let nextHold: { arrived: () => void; released: Promise<void> } | undefined;
  const server = createServer((incoming, outgoing) => {
    const isCopy = incoming.method === 'PUT' && 'x-amz-copy-source' in incoming.headers;
    const hold = isCopy ? nextHold : undefined;
    if (hold) nextHold = undefined;
    const forward = () => {
      const upstream = forwardRequest(
        {
          host: '127.0.0.1',
          port: upstreamPort,
          method: incoming.method,
          path: incoming.url,
          // Host included: the request's signature covers it.
          headers: incoming.headers,
        },
        (answer) => {
          const status = answer.statusCode ?? 502;
          if (isCopy) {
            const ifMatch = incoming.headers['x-amz-copy-source-if-match'];
            copies.push({ ifMatch: typeof ifMatch === 'string' ? ifMatch : undefined, status });
          }
          outgoing.writeHead(status, answer.headers);
          answer.pipe(outgoing);
        },
      );
      upstream.on('error', () => outgoing.destroy());
      incoming.pipe(upstream);
    };
    if (hold === undefined) return forward();
    hold.arrived();
    void hold.released.then(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('the proxy has no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    /** Every copy forwarded so far: its If-Match and s3rver's status. */
    copies,
    /** Holds the next copy: `arrival` settles when it comes in, `release` sends it on. */
    holdNextCopy: () => {
      const arrival = signal();
      const release = signal();
      nextHold = { arrived: arrival.settle, released: release.settled };
      return { arrival: arrival.settled, release: release.settle };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};

describe('an upload replaced between verification’s read and its copy (end to end)', () => {
  const LIB = '140829';
  const FORM = 'county-annual-report';
  const PERIOD = '2049';
  const reportPath = `/api/libraries/${LIB}/submissions/${FORM}/${PERIOD}`;
  let dataDir: string | undefined;
  let proxy: Awaited<ReturnType<typeof startCopyHoldingProxy>> | undefined;
  let started: { stack: StackProcess; directS3: S3Client; libraryToken: string } | undefined;

  const running = () => {
    if (started === undefined) throw new Error('the stack did not start');
    return started;
  };
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'clr-replaced-upload-'));
    const s3Port = await freePort();
    proxy = await startCopyHoldingProxy(s3Port);
    const stack = await startStackProcess(dataDir, {
      ROLLUP_AT: 'off',
      S3_PORT: String(s3Port),
      S3_ENDPOINT_OVERRIDE: proxy.url,
    });
    const directS3 = new S3Client({
      endpoint: stack.state.s3Endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      forcePathStyle: true,
    });
    const signingKey = await loadOrCreateSigningKey(dataDir);
    const libraryToken = await signDevToken(signingKey, { role: 'library', libraryId: LIB });
    started = { stack, directS3, libraryToken };
    const admin = await signDevToken(signingKey, { role: 'admin' });
    const now = Date.now();
    const day = 86_400_000;
    const window = {
      opensAt: new Date(now - day).toISOString(),
      dueAt: new Date(now + 30 * day).toISOString(),
      locksAt: new Date(now + 60 * day).toISOString(),
    };
    const { apiUrl } = stack.state;
    await answerJson(
      await requestTo(apiUrl, `/api/periods/${FORM}/${PERIOD}`, 'PUT', admin, window),
      200,
    );
    const draft = { values: {}, expectedRevision: 0 };
    await answerJson(await requestTo(apiUrl, reportPath, 'PUT', libraryToken, draft), 201);
  }, 120_000);

  afterAll(async () => {
    if (started) await stopStackProcess(started.stack.child).catch(() => undefined);
    started?.directS3.destroy();
    await proxy?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 90_000);

  it('the copy of the checked bytes is refused (412); the new bytes are checked and verified', async () => {
    const { stack, directS3, libraryToken } = running();
    const copying = proxy;
    if (copying === undefined) throw new Error('the proxy did not start');
    const { apiUrl } = stack.state;
    const checked = pngImage({ note: 'the upload verification reads first' });
    const replacement = pngImage({ note: 'sent again through the same link while it was checked' });
    const { evidence, upload: ticket } = (await answerJson(
      await requestTo(apiUrl, `${reportPath}/evidence`, 'POST', libraryToken, {
        fileName: '活动照片.png',
        contentType: 'image/png',
        size: Math.max(checked.length, replacement.length),
      }),
      201,
    )) as {
      evidence: { evidenceId: string; uploadKey: string };
      upload: { url: string; fields: Record<string, string> };
    };
    await uploadTo(ticket, checked, '照片.png');

    const held = copying.holdNextCopy();
    const completePath = `${reportPath}/evidence/${evidence.evidenceId}/complete`;
    const completing = requestTo(apiUrl, completePath, 'POST', libraryToken);
    const firstEvent = await Promise.race([
      held.arrival.then(() => 'copy held'),
      completing.then((response) => `answered ${response.status} without copying`),
    ]);
    expect(firstEvent).toBe('copy held');
    // Well within the handler's 2.5 s S3 request timeout, so the held copy is not retried.
    await uploadTo(ticket, replacement, '照片.png');
    held.release();

    const item = (await answerJson(await completing, 200)) as { objectKey: string };
    const evidenceKey = `evidence/${LIB}/${FORM}/${PERIOD}/${evidence.evidenceId}`;
    expect(item).toMatchObject({
      status: 'verified',
      sha256: sha256Of(replacement),
      actualSize: replacement.length,
      objectKey: `${evidenceKey}/${sha256Of(replacement)}`,
    });
    // The first copy named the checked bytes and was refused; the second named the new ones.
    expect(copying.copies).toEqual([
      { ifMatch: md5Of(checked), status: 412 },
      { ifMatch: md5Of(replacement), status: 200 },
    ]);

    const verified = await directS3.send(
      new GetObjectCommand({ Bucket: buckets.evidence, Key: item.objectKey }),
    );
    const bytes = Buffer.from((await verified.Body?.transformToByteArray()) ?? []);
    expect(bytes.equals(replacement)).toBe(true);
    // Nothing was stored under the checked bytes' hash, and the upload is gone.
    for (const Key of [`${evidenceKey}/${sha256Of(checked)}`, evidence.uploadKey]) {
      const head = await rejectionOf(
        directS3.send(new HeadObjectCommand({ Bucket: buckets.evidence, Key })),
      );
      expect(head).toMatchObject({ name: 'NotFound' });
    }
  });
});
