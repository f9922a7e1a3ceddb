import middy from '@middy/core';
import { SubmitBody } from '../domain/submissions/commands.js';
import { idempotency } from './http/idempotency.js';
import { apiMiddlewares } from './http/middlewares.js';
import { submissionKeyOf } from './http/params.js';
import { principalOf, readJsonBody } from './http/request.js';
import { correlationIdOf, json } from './http/responses.js';
import type { ApiEvent, ApiResult } from './http/types.js';
import { submissionService } from './submission-services.js';

/** Final submission: 422 lists every error and every warning that still needs an explanation. */
export const submitSubmission = async (event: ApiEvent): Promise<ApiResult> => {
  const principal = principalOf(event);
  const key = submissionKeyOf(event);
  const body = readJsonBody(event, SubmitBody);
  return json(200, await submissionService.submit(principal, key, body), correlationIdOf(event));
};

export const handler = middy(submitSubmission).use(apiMiddlewares()).use(idempotency());
