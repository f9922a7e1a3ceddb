/** Path and query parameters of the submission routes, checked before any storage call. */
import * as z from 'zod/mini';
import { LibraryId } from '../../domain/auth/principal.js';
import { BadRequestError, NotFoundError } from '../../domain/errors.js';
import { issuesToFieldErrors } from '../../domain/messages.js';
import type { SubmissionKey } from '../../domain/submissions/model.js';
import type { PageRequest } from '../../domain/submissions/store.js';
import '../../domain/zod-locale.js';
import type { ApiEvent } from './types.js';

/** A form id, period or run id as it appears in a path: what a DynamoDB key may safely hold. */
export const PathSegment = z
  .string()
  .check(z.minLength(1), z.maxLength(64), z.regex(/^[A-Za-z0-9-]+$/));

export const submissionKeyOf = (event: ApiEvent): SubmissionKey => {
  const parameters = event.pathParameters ?? {};
  const libraryId = LibraryId.safeParse(parameters.libraryId);
  const formId = PathSegment.safeParse(parameters.formId);
  const period = PathSegment.safeParse(parameters.period);
  if (!libraryId.success || !formId.success || !period.success) {
    throw new NotFoundError({ zh: '没有这个报告。', en: 'No such report.' });
  }
  return { libraryId: libraryId.data, formId: formId.data, period: period.data };
};

export const formPeriodOf = (event: ApiEvent): { formId: string; period: string } => {
  const rawFormId = event.pathParameters?.formId ?? event.queryStringParameters?.formId;
  const rawPeriod = event.pathParameters?.period ?? event.queryStringParameters?.period;
  const formId = PathSegment.safeParse(rawFormId);
  const period = PathSegment.safeParse(rawPeriod);
  if (!formId.success || !period.success) {
    const problem = (path: string, given: string | undefined) =>
      given === undefined || given === ''
        ? { path, code: 'required', message: { zh: '必填', en: 'required' } }
        : {
            path,
            code: 'invalid_format',
            message: {
              zh: '只能包含字母、数字和连字符，最多 64 个字符',
              en: 'letters, digits and hyphens only, at most 64 characters',
            },
          };
    throw new BadRequestError(
      { zh: '请正确指定表单和报告期。', en: 'formId and period are required and must be valid.' },
      {
        errors: [
          ...(formId.success ? [] : [problem('formId', rawFormId)]),
          ...(period.success ? [] : [problem('period', rawPeriod)]),
        ],
      },
    );
  }
  return { formId: formId.data, period: period.data };
};

const PageQuery = z.object({
  limit: z.optional(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100))),
  cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(2_048))),
});

export const pageOf = (event: ApiEvent, defaultLimit: number): PageRequest => {
  const parsed = PageQuery.safeParse(event.queryStringParameters ?? {});
  if (!parsed.success) {
    throw new BadRequestError(
      { zh: '分页参数有误。', en: 'Invalid paging parameters.' },
      { errors: issuesToFieldErrors(parsed.error.issues) },
    );
  }
  return {
    limit: parsed.data.limit ?? defaultLimit,
    ...(parsed.data.cursor ? { cursor: parsed.data.cursor } : {}),
  };
};

export const revisionNumberOf = (event: ApiEvent): number => {
  const revision = z.coerce
    .number()
    .check(z.int(), z.minimum(1), z.maximum(1_000_000))
    .safeParse(event.pathParameters?.revision);
  if (!revision.success) throw new NotFoundError({ zh: '没有这一版。', en: 'No such revision.' });
  return revision.data;
};

export const evidenceKeyOf = (event: ApiEvent) => {
  const evidenceId = z.uuid().safeParse(event.pathParameters?.evidenceId);
  if (!evidenceId.success)
    throw new NotFoundError({ zh: '没有这份佐证材料。', en: 'No such evidence.' });
  return { ...submissionKeyOf(event), evidenceId: evidenceId.data };
};
