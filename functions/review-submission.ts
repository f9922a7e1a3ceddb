import middy from '@middy/core';
import { NotFoundError } from '../domain/errors.js';
import { AcceptBody, ReopenBody, ReturnBody } from '../domain/submissions/commands.js';
import { idempotency } from './http/idempotency.js';
import { apiMiddlewares } from './http/middlewares.js';
import { submissionKeyOf } from './http/params.js';
import { principalOf, readJsonBody, readOptionalJsonBody } from './http/request.js';
import { correlationIdOf, json } from './http/responses.js';
import type { ApiEvent, ApiResult } from './http/types.js';
import { submissionService } from './submission-services.js';

/** The province's review steps: return with comments, accept; an administrator's reopen. */
export const reviewSubmission = async (event: ApiEvent): Promise<ApiResult> => {
  const principal = principalOf(event);
  const key = submissionKeyOf(event);
  const action = event.rawPath.split('/').at(-1);
  const view =
    action === 'return'
      ? await submissionService.returnToLibrary(principal, key, readJsonBody(event, ReturnBody))
      : action === 'accept'
        ? await submissionService.accept(principal, key, readOptionalJsonBody(event, AcceptBody))
        : action === 'reopen'
          ? await submissionService.reopen(principal, key, readJsonBody(event, ReopenBody))
          : undefined;
  if (!view) throw new NotFoundError({ zh: '没有这个操作。', en: 'No such action.' });
  return json(200, view, correlationIdOf(event));
};

export const handler = middy(reviewSubmission).use(apiMiddlewares()).use(idempotency());
