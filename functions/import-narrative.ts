import middy from '@middy/core';
import * as z from 'zod/mini';
import { formRegistry } from '../adapters/form-catalog.js';
import { authorize } from '../domain/auth/policy.js';
import { NotFoundError } from '../domain/errors.js';
import { FORM_VERSION_PATTERN } from '../domain/forms/form-version.js';
import { packMessage } from '../domain/messages.js';
import { importNarrative as extractFromNarrative } from '../domain/narrative/form.js';
import { MAX_NARRATIVE_LENGTH } from '../domain/narrative/model.js';
import { apiMiddlewares } from './http/middlewares.js';
import { PathSegment } from './http/params.js';
import { principalOf, readJsonBody } from './http/request.js';
import { correlationIdOf, json } from './http/responses.js';
import type { ApiEvent, ApiResult } from './http/types.js';

/** The annual report, which every county library writes a prose summary for. */
export const DEFAULT_NARRATIVE_FORM = 'county-annual-report';

export const ImportNarrativeBody = z.strictObject({
  // Not trimmed: the offsets of the evidence point into the text exactly as sent.
  text: z
    .string()
    .check(
      z.minLength(1),
      z.maxLength(MAX_NARRATIVE_LENGTH),
      z.regex(/\S/, { message: packMessage({ zh: '不能为空白', en: 'Must not be blank' }) }),
    ),
  formId: z._default(PathSegment, DEFAULT_NARRATIVE_FORM),
  /** The draft's own version (its fields are the ones to suggest); absent: the active one. */
  formVersion: z.optional(
    z.string().check(
      z.regex(FORM_VERSION_PATTERN, {
        message: packMessage({ zh: '应形如 2026.1', en: 'Like 2026.1' }),
      }),
    ),
  ),
});

/**
 * Suggested values for a library's draft from its pasted work summary: `{values, evidence,
 * unmapped}`. Reads and stores nothing: the librarian accepts suggestions into the draft, and
 * the draft is saved as usual.
 */
export const importNarrative = async (event: ApiEvent): Promise<ApiResult> => {
  const principal = principalOf(event);
  authorize(principal, 'narrative:import');
  const body = readJsonBody(event, ImportNarrativeBody);
  const { formId, formVersion } = body;
  const form = formRegistry.get(formId, formVersion);
  if (!form) {
    throw new NotFoundError({
      zh: formVersion ? `表单 ${formId} 没有版本 ${formVersion}。` : `没有表单 ${formId}。`,
      en: formVersion ? `Form ${formId} has no version ${formVersion}.` : `No form ${formId}.`,
    });
  }
  return json(
    200,
    extractFromNarrative(form, body.text, formRegistry.definitionsOf(formId)),
    correlationIdOf(event),
  );
};

export const handler = middy(importNarrative).use(apiMiddlewares());
