import middy from '@middy/core';
import { positiveIntEnv } from '../adapters/config.js';
import { PresignEvidenceBody } from '../domain/evidence/model.js';
import { evidenceReports } from './evidence-reports.js';
import { createEvidenceService } from './evidence-service.js';
import { apiMiddlewares } from './http/middlewares.js';
import { submissionKeyOf } from './http/params.js';
import { principalOf, readJsonBody } from './http/request.js';
import { correlationIdOf, json } from './http/responses.js';
import type { ApiEvent, ApiResult } from './http/types.js';

const evidenceService = createEvidenceService({ reports: evidenceReports });
const Body = PresignEvidenceBody(positiveIntEnv('EVIDENCE_MAX_BYTES', 20 * 1024 * 1024));

/** Records pending evidence and returns a 10-minute presigned POST for the upload. */
export const presignEvidence = async (event: ApiEvent): Promise<ApiResult> => {
  const principal = principalOf(event);
  const key = submissionKeyOf(event);
  const ticket = await evidenceService.presign(principal, key, readJsonBody(event, Body));
  return json(201, ticket, correlationIdOf(event));
};

export const handler = middy(presignEvidence).use(apiMiddlewares());
