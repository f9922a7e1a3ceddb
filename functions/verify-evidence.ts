/**
 * One function, two triggers: S3's ObjectCreated notification for the evidence bucket (in
 * AWS), and `POST …/evidence/{evidenceId}/complete` from the client.
 */
import middy from '@middy/core';
import type { Context, S3Event } from 'aws-lambda';
import { parseEvidenceObjectKey } from '../domain/evidence/model.js';
import { evidenceService } from './evidence-service.js';
import { logger } from './http/logger.js';
import { apiMiddlewares } from './http/middlewares.js';
import { evidenceKeyOf } from './http/params.js';
import { principalOf } from './http/request.js';
import { correlationIdOf, json } from './http/responses.js';
import type { ApiEvent, ApiResult } from './http/types.js';

export const completeEvidence = async (event: ApiEvent): Promise<ApiResult> => {
  const item = await evidenceService.complete(principalOf(event), evidenceKeyOf(event));
  return json(200, item, correlationIdOf(event));
};

/** S3 keys arrive URL-encoded, spaces as `+`. */
const objectKeyOf = (encoded: string) => decodeURIComponent(encoded.replace(/\+/g, ' '));

export const verifyUploadedObjects = async (event: S3Event): Promise<void> => {
  for (const record of event.Records) {
    const key = parseEvidenceObjectKey(objectKeyOf(record.s3.object.key));
    if (!key) {
      logger.warn('Ignoring an object outside the evidence layout', { key: record.s3.object.key });
      continue;
    }
    const item = await evidenceService.verify(key);
    logger.info('Evidence verified', { evidenceId: item.evidenceId, status: item.status });
  }
};

const httpHandler = middy(completeEvidence).use(apiMiddlewares());

const isS3Event = (event: unknown): event is S3Event =>
  typeof event === 'object' &&
  event !== null &&
  Array.isArray((event as { Records?: unknown }).Records);

export const handler = async (event: ApiEvent | S3Event, context: Context) =>
  isS3Event(event) ? verifyUploadedObjects(event) : httpHandler(event, context);
