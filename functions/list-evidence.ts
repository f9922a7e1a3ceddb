import middy from '@middy/core';
import * as z from 'zod/mini';
import { BadRequestError } from '../domain/errors.js';
import { evidenceReports } from './evidence-reports.js';
import { createEvidenceService } from './evidence-service.js';
import { apiMiddlewares } from './http/middlewares.js';
import { submissionKeyOf } from './http/params.js';
import { principalOf } from './http/request.js';
import { correlationIdOf, json } from './http/responses.js';
import type { ApiEvent, ApiResult } from './http/types.js';

const evidenceService = createEvidenceService({ reports: evidenceReports });

const Revision = z.optional(z.coerce.number().check(z.int(), z.minimum(1)));

/** A report's evidence with 5-minute download links; `?revision=n` as it was at revision n. */
export const listEvidence = async (event: ApiEvent): Promise<ApiResult> => {
  const revision = Revision.safeParse(event.queryStringParameters?.revision);
  if (!revision.success) {
    throw new BadRequestError(
      { zh: 'revision 参数应为正整数。', en: 'revision must be a positive integer.' },
      {
        errors: [
          {
            path: 'revision',
            code: 'invalid_type',
            message: { zh: '应为正整数', en: 'a positive integer' },
          },
        ],
      },
    );
  }
  const items = await evidenceService.list(
    principalOf(event),
    submissionKeyOf(event),
    revision.data,
  );
  return json(200, { items }, correlationIdOf(event));
};

export const handler = middy(listEvidence).use(apiMiddlewares());
