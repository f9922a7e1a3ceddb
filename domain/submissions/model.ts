/**
 * A library's report for one form and period: a head that moves with every step, and one
 * immutable revision per step (save, submit, return, accept, reopen), so nothing a user saved
 * is ever lost and the history shows who did what and when.
 */
import * as z from 'zod/mini';
import { LibraryId, type Principal, Role } from '../auth/principal.js';

export const SubmissionStatus = z.enum(['draft', 'submitted', 'returned', 'accepted']);
export type SubmissionStatus = z.infer<typeof SubmissionStatus>;

export const SubmissionAction = z.enum(['save', 'submit', 'return', 'accept', 'reopen']);
export type SubmissionAction = z.infer<typeof SubmissionAction>;

export const Actor = z.object({
  subject: z.string(),
  role: Role,
  libraryId: z.optional(LibraryId),
});
export type Actor = z.infer<typeof Actor>;

export const actorOf = (principal: Principal): Actor =>
  principal.role === 'library'
    ? { subject: principal.subject, role: principal.role, libraryId: principal.libraryId }
    : { subject: principal.subject, role: principal.role };

export const Review = z.object({
  message: z.string(),
  fieldComments: z.record(z.string(), z.string()),
  by: Actor,
  at: z.string(),
});
export type Review = z.infer<typeof Review>;

export const SubmissionKey = z.object({
  libraryId: LibraryId,
  formId: z.string(),
  period: z.string(),
});
export type SubmissionKey = z.infer<typeof SubmissionKey>;

export const SubmissionHead = z.extend(SubmissionKey, {
  formVersion: z.string(),
  status: SubmissionStatus,
  revision: z.number().check(z.int(), z.positive()),
  values: z.record(z.string(), z.unknown()),
  /**
   * Explanations of warnings, by rule id: as saved with the draft, and from a submission on,
   * those of the warnings it raised.
   */
  explanations: z.record(z.string(), z.string()),
  /** The province's last return (message and per-field comments), until resubmission. */
  review: z.optional(Review),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** The latest submission. */
  submittedAt: z.optional(z.string()),
  /**
   * The first submission, kept through returns, resubmissions and reopening: what on-time is
   * judged by. Absent on heads written before it existed (see `firstSubmissionOf`).
   */
  firstSubmittedAt: z.optional(z.string()),
  acceptedAt: z.optional(z.string()),
  updatedBy: Actor,
});
export type SubmissionHead = z.infer<typeof SubmissionHead>;

export const SubmissionRevision = z.extend(SubmissionKey, {
  revision: z.number().check(z.int(), z.positive()),
  action: SubmissionAction,
  status: SubmissionStatus,
  formVersion: z.string(),
  values: z.record(z.string(), z.unknown()),
  explanations: z.record(z.string(), z.string()),
  review: z.optional(Review),
  actor: Actor,
  at: z.string(),
});
export type SubmissionRevision = z.infer<typeof SubmissionRevision>;

export const submissionKeyText = (key: SubmissionKey) =>
  `${key.libraryId}/${key.formId}/${key.period}`;
