// The module wires its evidence service when it loads, so its settings come first (the import
// below is dynamic for that reason). Nothing listens at the endpoints: no test reaches AWS.
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.TABLE_NAME = 'verify-evidence-test';
process.env.EVIDENCE_BUCKET = 'evidence';
process.env.AWS_REGION = 'us-east-1';
process.env.AWS_ACCESS_KEY_ID = 'test';
process.env.AWS_SECRET_ACCESS_KEY = 'test';
process.env.AWS_ENDPOINT_URL_DYNAMODB = 'http://127.0.0.1:9';
process.env.AWS_ENDPOINT_URL_S3 = 'http://127.0.0.1:9';

import { describe, expect, it, jest } from '@jest/globals';
import type { JWTPayload } from 'jose';
import { createLambdaContext, matchRoute, toApiGatewayEvent } from '../local/api-gateway-event.js';
import { logger } from './http/logger.js';
import type { ApiResult } from './http/types.js';
import { routes } from './routes.js';

const { handler, objectCreatedKeysOf, uploadedObjectOf } = await import('./verify-evidence.js');

const EVIDENCE_ID = '3f2b8c1e-9d4a-4f6b-8e2a-1c5d7e9f0a2b';
const KEY = `uploads/140429/county-annual-report/2025/${EVIDENCE_ID}`;
const EVIDENCE = {
  libraryId: '140429',
  formId: 'county-annual-report',
  period: '2025',
  evidenceId: EVIDENCE_ID,
};

/** What EventBridge delivers for an upload to a bucket with EventBridge notifications on. */
const eventBridgeEvent = (key: string, detailType = 'Object Created') => ({
  version: '0',
  id: '17793124-05d4-b198-2fde-7ededc63b103',
  'detail-type': detailType,
  source: 'aws.s3',
  account: '111122223333',
  time: '2026-03-01T02:00:00Z',
  region: 'cn-north-1',
  resources: ['arn:aws-cn:s3:::evidence'],
  detail: {
    version: '0',
    bucket: { name: 'evidence' },
    object: { key, size: 5, etag: 'b1946ac92492d2347c6235b4d2611184', sequencer: '00617F08' },
    'request-id': 'N4N7GDK58NMKJ12R',
    requester: '111122223333',
    'source-ip-address': '1.2.3.4',
    reason: 'PutObject',
  },
});

/** A classic S3 bucket notification with one record per key. */
const bucketNotification = (...keys: string[]) => ({
  Records: keys.map((key) => ({
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: 'cn-north-1',
    eventTime: '2026-03-01T02:00:00.000Z',
    eventName: 'ObjectCreated:Post',
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: 'evidence-uploaded',
      bucket: { name: 'evidence', arn: 'arn:aws-cn:s3:::evidence' },
      object: { key, size: 5, eTag: 'b1946ac92492d2347c6235b4d2611184', sequencer: '00617F08' },
    },
  })),
});

/** POST …/evidence/{evidenceId}/complete as API Gateway sends it. */
const completeEvent = (evidenceId: string, claims?: JWTPayload) => {
  const url = `/api/libraries/140429/submissions/county-annual-report/2025/evidence/${evidenceId}/complete`;
  const match = matchRoute(routes, 'POST', url);
  if (match === undefined) throw new Error(`POST ${url} must be routed`);
  return toApiGatewayEvent(
    {
      method: 'POST',
      url,
      headers: { host: '127.0.0.1:3000' },
      body: Buffer.alloc(0),
      sourceIp: '127.0.0.1',
    },
    match,
    claims,
  );
};

const statusOf = (result: unknown) => (result as ApiResult).statusCode;

describe('objectCreatedKeysOf', () => {
  it('takes the key of an EventBridge "Object Created" event', () => {
    expect(objectCreatedKeysOf(eventBridgeEvent(KEY))).toEqual([KEY]);
  });

  it('takes every key of a classic S3 notification, in order', () => {
    const other = KEY.replace('140429', '140430');
    expect(objectCreatedKeysOf(bucketNotification(KEY, other))).toEqual([KEY, other]);
  });

  it('keeps the keys as sent: decoding is per key', () => {
    const encoded = KEY.replaceAll('/', '%2F');
    expect(objectCreatedKeysOf(eventBridgeEvent(encoded))).toEqual([encoded]);
  });

  it.each([
    ['an API Gateway request', completeEvent(EVIDENCE_ID)],
    ['an EventBridge event of another type', eventBridgeEvent(KEY, 'Object Deleted')],
    ['an event from another source', { ...eventBridgeEvent(KEY), source: 'aws.ec2' }],
    ['a notification record without a key', { Records: [{ s3: { object: {} } }] }],
    ['an empty object', {}],
    ['null', null],
  ])('answers undefined for %s', (_name, event) => {
    expect(objectCreatedKeysOf(event)).toBeUndefined();
  });
});

describe('uploadedObjectOf', () => {
  it('reads an evidence key', () => {
    expect(uploadedObjectOf(KEY)).toEqual({ objectKey: KEY, evidence: EVIDENCE });
  });

  it('decodes %XX escapes before reading the layout', () => {
    expect(
      uploadedObjectOf(KEY.replaceAll('/', '%2F').replace('-annual-', '%2Dannual%2D')),
    ).toEqual({ objectKey: KEY, evidence: EVIDENCE });
  });

  it.each([
    ['+ as a space', 'uploads/my+photo.jpg', 'uploads/my photo.jpg'],
    ['%2B as a plus', 'uploads/a%2Bb.jpg', 'uploads/a+b.jpg'],
    ['%20 as a space', 'uploads/a%20b.jpg', 'uploads/a b.jpg'],
    ['UTF-8 escapes', 'uploads/%E4%BD%90%E8%AF%81.jpg', 'uploads/佐证.jpg'],
  ])('decodes %s', (_name, encoded, decoded) => {
    expect(uploadedObjectOf(encoded).objectKey).toBe(decoded);
  });

  it.each([
    ['another prefix', `rollups/county-annual-report/2025/${EVIDENCE_ID}`],
    ['a nested evidence prefix', `other/${KEY}`],
    ['a library code of five digits', KEY.replace('140429', '14042')],
    ['no evidence id', 'uploads/140429/county-annual-report/2025'],
    // Verified copies, which the function writes itself: never verified again.
    ['the verified copy', KEY.replace('uploads/', 'evidence/')],
    ['one level too many', `${KEY}/extra`],
    ['a space in the id, sent as +', `${KEY}+copy`],
  ])('names no evidence for a key with %s', (_name, encoded) => {
    expect(uploadedObjectOf(encoded).evidence).toBeUndefined();
  });
});

describe('handler', () => {
  const context = createLambdaContext('verify-evidence');

  it('ignores uploads outside the evidence layout without touching the table or bucket', async () => {
    const outside = bucketNotification('rollups/x/latest.json', `other/${KEY}`, `${KEY}+copy`);
    await expect(handler(outside, context)).resolves.toBeUndefined();
    await expect(handler(eventBridgeEvent('uploads/a.jpg'), context)).resolves.toBeUndefined();
    await expect(
      handler(eventBridgeEvent(KEY.replace('uploads/', 'evidence/')), context),
    ).resolves.toBeUndefined();
  });

  it('logs a verification that fails, naming the key, and fails the event so that it is retried', async () => {
    const logged = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    try {
      // Nothing listens at the table's endpoint.
      await expect(handler(eventBridgeEvent(KEY), context)).rejects.toThrow();
      expect(logged).toHaveBeenCalledWith(
        'Evidence verification failed',
        expect.objectContaining({ key: KEY, error: expect.any(Error) }),
      );
    } finally {
      logged.mockRestore();
    }
  });

  it('answers an API Gateway request without a signed-in user with 401', async () => {
    expect(statusOf(await handler(completeEvent(EVIDENCE_ID), context))).toBe(401);
  });

  it('answers an API Gateway request for an id that is no evidence id with 404', async () => {
    const claims = {
      sub: 'librarian',
      'cognito:groups': ['library'],
      'custom:libraryId': '140429',
    };
    const result = await handler(completeEvent('not-a-uuid', claims), context);
    expect(statusOf(result)).toBe(404);
    expect((result as ApiResult).body).toContain('No such evidence');
  });
});
