import middy from '@middy/core';
import { apiMiddlewares } from './http/middlewares.js';
import { submissionKeyOf } from './http/params.js';
import { principalOf } from './http/request.js';
import { correlationIdOf, json } from './http/responses.js';
import type { ApiEvent, ApiResult } from './http/types.js';
import { submissionService } from './submission-services.js';

/** The current head of a report: status, revision, values, validation, review comments. */
export const getSubmission = async (event: ApiEvent): Promise<ApiResult> => {
  const view = await submissionService.get(principalOf(event), submissionKeyOf(event));
  return json(200, view, correlationIdOf(event));
};

export const handler = middy(getSubmission).use(apiMiddlewares());
