import middy from '@middy/core';
import { SaveDraftBody } from '../domain/submissions/commands.js';
import { idempotency } from './http/idempotency.js';
import { apiMiddlewares } from './http/middlewares.js';
import { submissionKeyOf } from './http/params.js';
import { principalOf, readJsonBody } from './http/request.js';
import { correlationIdOf, json } from './http/responses.js';
import type { ApiEvent, ApiResult } from './http/types.js';
import { submissionService } from './submission-services.js';

/** Saves a draft as a new immutable revision (201 when it creates the report). */
export const saveSubmission = async (event: ApiEvent): Promise<ApiResult> => {
  const principal = principalOf(event);
  const key = submissionKeyOf(event);
  const body = readJsonBody(event, SaveDraftBody);
  const { created, view } = await submissionService.saveDraft(principal, key, body);
  return json(created ? 201 : 200, view, correlationIdOf(event));
};

export const handler = middy(saveSubmission).use(apiMiddlewares()).use(idempotency());
