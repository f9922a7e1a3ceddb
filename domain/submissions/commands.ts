/** The request bodies of the submission API, validated at the edge before the service runs. */
import * as z from 'zod/mini';
import { LibraryId } from '../auth/principal.js';
import { FieldKey } from '../forms/primitives.js';
import { MAX_COMMENT_LENGTH } from './limits.js';

const Revision = z.number().check(z.int(), z.minimum(0), z.maximum(1_000_000));
const Comment = z.string().check(z.trim(), z.minLength(1), z.maxLength(MAX_COMMENT_LENGTH));

/** Explanations of warnings, by rule id. */
const Explanations = z.record(FieldKey, Comment);

export const SaveDraftBody = z.strictObject({
  values: z.record(z.string(), z.unknown()),
  /** The revision the client edited; 0 creates the report. */
  expectedRevision: Revision,
  /**
   * Explanations written so far, kept with the draft so they follow the report to another
   * device; they replace the saved ones. Absent: the saved ones are kept.
   */
  explanations: z.optional(Explanations),
  /**
   * The form version the values are written in: the report's own (the default) or the form's
   * current one, which moves a draft onto it.
   */
  formVersion: z.optional(z.string().check(z.minLength(1), z.maxLength(32))),
});
export type SaveDraftBody = z.infer<typeof SaveDraftBody>;

export const SubmitBody = z.strictObject({
  expectedRevision: Revision,
  /** One explanation per warning, over those saved with the draft. */
  explanations: z._default(Explanations, {}),
});
export type SubmitBody = z.infer<typeof SubmitBody>;

export const ReturnBody = z.strictObject({
  message: Comment,
  fieldComments: z._default(z.record(FieldKey, Comment), {}),
  expectedRevision: z.optional(Revision),
});
export type ReturnBody = z.infer<typeof ReturnBody>;

export const AcceptBody = z.strictObject({ expectedRevision: z.optional(Revision) });
export type AcceptBody = z.infer<typeof AcceptBody>;

export const ReopenBody = z.strictObject({
  message: Comment,
  expectedRevision: z.optional(Revision),
});
export type ReopenBody = z.infer<typeof ReopenBody>;

export const PeriodExceptionBody = z.strictObject({
  libraryId: LibraryId,
  until: z.iso.datetime({ offset: true }),
});
export type PeriodExceptionBody = z.infer<typeof PeriodExceptionBody>;
