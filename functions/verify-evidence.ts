/**
 * One function, two triggers: S3's "Object Created" events for the evidence prefix (in AWS,
 * through EventBridge; classic bucket notifications are accepted too), and
 * `POST …/evidence/{evidenceId}/complete` from the client.
 */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import * as z from 'zod/mini';
import { detectContentType } from '../adapters/file-type.js';
import { parseEvidenceObjectKey } from '../domain/evidence/model.js';
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

/** S3 keys arrive URL-encoded, spaces as `+`. */
const objectKeyOf = (encoded: string) => decodeURIComponent(encoded.replace(/\+/g, ' '));

export const verifyUploadedObjects = async (objectKeys: readonly string[]): Promise<void> => {
  for (const encoded of objectKeys) {
    const key = parseEvidenceObjectKey(objectKeyOf(encoded));
    if (!key) {
      logger.warn('Ignoring an object outside the evidence layout', { key: encoded });
      continue;
    }
    const item = await evidenceService.verify(key);
    logger.info('Evidence verified', { evidenceId: item.evidenceId, status: item.status });
  }
};

const httpHandler = middy(completeEvidence).use(apiMiddlewares());

export const handler = async (event: unknown, context: Context) => {
  const uploaded = ObjectCreatedEvent.safeParse(event);
  return uploaded.success
    ? verifyUploadedObjects(uploaded.data)
    : httpHandler(event as ApiEvent, context);
};
