import middy from '@middy/core';
import { formRegistry } from '../adapters/form-catalog.js';
import { NotFoundError } from '../domain/errors.js';
import { uiModel } from '../domain/forms/ui-model.js';
import { apiMiddlewares } from './http/middlewares.js';
import { principalOf } from './http/request.js';
import { correlationIdOf, json } from './http/responses.js';
import type { ApiEvent, ApiResult } from './http/types.js';

/** One form's UI model and definition (the active version, or `?version=`), with its standards. */
export const getForm = async (event: ApiEvent): Promise<ApiResult> => {
  principalOf(event);
  const formId = event.pathParameters?.formId ?? '';
  const version = event.queryStringParameters?.version;
  const form = formRegistry.get(formId, version);
  if (!form) {
    throw new NotFoundError({
      zh: version ? `表单 ${formId} 没有版本 ${version}。` : `没有表单 ${formId}。`,
      en: version ? `Form ${formId} has no version ${version}.` : `No form ${formId}.`,
    });
  }
  const versions = formRegistry.list().find((summary) => summary.formId === formId)?.versions ?? [];
  return json(
    200,
    {
      ...uiModel(form),
      // The browser compiles the definition itself, to validate exactly as the server does.
      definition: form.definition,
      versions,
      standards: formRegistry.standardsFor(formId),
    },
    correlationIdOf(event),
  );
};

export const handler = middy(getForm).use(apiMiddlewares());
