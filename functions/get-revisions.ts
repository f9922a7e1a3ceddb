import middy from '@middy/core';
import { apiMiddlewares } from './http/middlewares.js';
import { pageOf, revisionNumberOf, submissionKeyOf } from './http/params.js';
import { principalOf } from './http/request.js';
import { correlationIdOf, json } from './http/responses.js';
import type { ApiEvent, ApiResult } from './http/types.js';
import { submissionService } from './submission-services.js';

const DEFAULT_PAGE = 20;

/** A report's immutable history, newest first (paginated), or one revision in full. */
export const getRevisions = async (event: ApiEvent): Promise<ApiResult> => {
  const principal = principalOf(event);
  const key = submissionKeyOf(event);
  const body =
    event.pathParameters?.revision === undefined
      ? await submissionService.listRevisions(principal, key, pageOf(event, DEFAULT_PAGE))
      : await submissionService.getRevision(principal, key, revisionNumberOf(event));
  return json(200, body, correlationIdOf(event));
};

export const handler = middy(getRevisions).use(apiMiddlewares());
