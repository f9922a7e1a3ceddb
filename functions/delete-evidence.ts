import middy from '@middy/core';
import { evidenceReports } from './evidence-reports.js';
import { createEvidenceService } from './evidence-service.js';
import { apiMiddlewares } from './http/middlewares.js';
import { evidenceKeyOf } from './http/params.js';
import { principalOf } from './http/request.js';
import { correlationIdOf } from './http/responses.js';
import type { ApiEvent, ApiResult } from './http/types.js';

const evidenceService = createEvidenceService({ reports: evidenceReports });

/** Removes evidence while the report is editable (204). */
export const deleteEvidence = async (event: ApiEvent): Promise<ApiResult> => {
  await evidenceService.delete(principalOf(event), evidenceKeyOf(event));
  return { statusCode: 204, headers: { 'x-correlation-id': correlationIdOf(event) } };
};

export const handler = middy(deleteEvidence).use(apiMiddlewares());
