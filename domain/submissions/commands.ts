/** The request bodies of the submission API, validated at the edge before the service runs. */
import { z } from 'zod';
import { FieldKey } from '../forms/definition.js';

const Revision = z.number().int().min(0).max(1_000_000);
const Comment = z.string().trim().min(1).max(2_000);

export const SaveDraftBody = z.strictObject({
  values: z.record(z.string(), z.unknown()),
  /** The revision the client edited; 0 creates the report. */
  expectedRevision: Revision,
});
export type SaveDraftBody = z.infer<typeof SaveDraftBody>;

export const SubmitBody = z.strictObject({
  expectedRevision: Revision,
  /** One explanation per warning, by rule id. */
  explanations: z.record(FieldKey, Comment).default({}),
});
export type SubmitBody = z.infer<typeof SubmitBody>;

export const ReturnBody = z.strictObject({
  message: Comment,
  fieldComments: z.record(FieldKey, Comment).default({}),
  expectedRevision: Revision.optional(),
});
export type ReturnBody = z.infer<typeof ReturnBody>;

export const AcceptBody = z.strictObject({ expectedRevision: Revision.optional() });
export type AcceptBody = z.infer<typeof AcceptBody>;

export const ReopenBody = z.strictObject({
  message: Comment,
  expectedRevision: Revision.optional(),
});
export type ReopenBody = z.infer<typeof ReopenBody>;

export const PeriodExceptionBody = z.strictObject({
  libraryId: z.string().regex(/^\d{6}$/),
  until: z.iso.datetime({ offset: true }),
});
export type PeriodExceptionBody = z.infer<typeof PeriodExceptionBody>;
