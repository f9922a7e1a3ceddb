/**
 * One function, two triggers: S3's "Object Created" events for the evidence prefix (in AWS,
 * through EventBridge; classic bucket notifications are accepted too), and
 * `POST …/evidence/{evidenceId}/complete` from the client.
 */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import * as z from 'zod/mini';
import { detectContentType } from '../adapters/file-type.js';
import { parseEvidenceUploadKey } from '../domain/evidence/model.js';
import { createEvidenceService } from './evidence-service.js';
import { logger } from './http/logger.js';
import { apiMiddlewares } from './http/middlewares.js';
import { evidenceKeyOf } from './http/params.js';
import { principalOf } from './http/request.js';
import { correlationIdOf, json } from './http/responses.js';
import type { ApiEvent, ApiResult } from './http/types.js';

const evidenceService = createEvidenceService({ detectType: detectContentType });

export const completeEvidence = async (event: ApiEvent): Promise<ApiResult> => {
  const item = await evidenceService.complete(principalOf(event), evidenceKeyOf(event));
  return json(200, item, correlationIdOf(event));
};

const EventBridgeObjectCreated = z.object({
  source: z.literal('aws.s3'),
  'detail-type': z.literal('Object Created'),
  detail: z.object({ object: z.object({ key: z.string() }) }),
});
const BucketNotification = z.object({
  Records: z.array(z.object({ s3: z.object({ object: z.object({ key: z.string() }) }) })),
});
const ObjectCreatedEvent = z.union([
  z.pipe(
    EventBridgeObjectCreated,
    z.transform((event) => [event.detail.object.key]),
  ),
  z.pipe(
    BucketNotification,
    z.transform((event) => event.Records.map((record) => record.s3.object.key)),
  ),
]);

/** The object keys an S3 "Object Created" event names, as sent; undefined for any other event. */
export const objectCreatedKeysOf = (event: unknown): string[] | undefined => {
  const uploaded = ObjectCreatedEvent.safeParse(event);
  return uploaded.success ? uploaded.data : undefined;
};

/**
 * One key as sent, decoded (URL-encoded, spaces as `+`), and the evidence it names; `evidence`
 * is undefined for any key but an upload's (verified copies included).
 */
export const uploadedObjectOf = (encoded: string) => {
  const objectKey = decodeURIComponent(encoded.replace(/\+/g, ' '));
  return { objectKey, evidence: parseEvidenceUploadKey(objectKey) };
};

export const verifyUploadedObjects = async (objectKeys: readonly string[]): Promise<void> => {
  for (const encoded of objectKeys) {
    const key = uploadedObjectOf(encoded).evidence;
    if (!key) {
      logger.warn('Ignoring an object that is no evidence upload', { key: encoded });
      continue;
    }
    const item = await evidenceService.verify(key).catch((error: unknown) => {
      // Logged here, with its source-mapped stack; the event then fails, and is retried.
      logger.error('Evidence verification failed', { key: encoded, error });
      throw error;
    });
    logger.info('Evidence verified', { evidenceId: item.evidenceId, status: item.status });
  }
};

const httpHandler = middy(completeEvidence).use(apiMiddlewares());

export const handler = async (event: unknown, context: Context) => {
  const objectKeys = objectCreatedKeysOf(event);
  return objectKeys ? verifyUploadedObjects(objectKeys) : httpHandler(event as ApiEvent, context);
};
