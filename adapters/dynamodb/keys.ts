import { PARTITIONS, ROLLUP_RUN_PARTITION_PREFIX } from '../../infra/resources.js';

/** A library's partition: its reports, revisions and evidence. */
export const libraryPartition = (libraryId: string) => `${PARTITIONS.library}${libraryId}`;

/** Item key layout of the single table (see docs/architecture.md, "Storage"). */
export const registryKey = (libraryId: string) => ({ PK: 'REGISTRY', SK: `LIBRARY#${libraryId}` });
export const REGISTRY_PARTITION = 'REGISTRY';
export const HEALTH_KEY = { PK: 'HEALTH', SK: 'HEALTH' };

const REVISION_DIGITS = 8;

/** A library's reports live in its partition: heads, revisions (newest first by sort key). */
export const submissionKeys = (key: { libraryId: string; formId: string; period: string }) => ({
  PK: libraryPartition(key.libraryId),
  SK: `HEAD#${key.formId}#${key.period}`,
});
export const headIndexKeys = (key: { libraryId: string; formId: string; period: string }) => ({
  GSI1PK: periodPartition(key.formId, key.period),
  GSI1SK: libraryPartition(key.libraryId),
});
export const periodPartition = (formId: string, period: string) => `FORM#${formId}#${period}`;
export const revisionPrefix = (key: { formId: string; period: string }) =>
  `REV#${key.formId}#${key.period}#`;
export const revisionKeys = (
  key: { libraryId: string; formId: string; period: string },
  revision: number,
) => ({
  PK: libraryPartition(key.libraryId),
  SK: `${revisionPrefix(key)}${String(revision).padStart(REVISION_DIGITS, '0')}`,
});

export const windowKeys = (formId: string, period: string) => ({
  PK: `${PARTITIONS.period}${formId}#${period}`,
  SK: 'WINDOW',
});
export const exceptionKeys = (formId: string, period: string, libraryId: string) => ({
  PK: `${PARTITIONS.period}${formId}#${period}`,
  SK: `EXCEPTION#${libraryId}`,
});

export const evidencePrefix = (key: { formId: string; period: string }) =>
  `EVID#${key.formId}#${key.period}#`;
/** The version of a report's set of evidence, moved on by every create (not an EVID# item). */
export const evidenceSetKeys = (key: { libraryId: string; formId: string; period: string }) => ({
  PK: libraryPartition(key.libraryId),
  SK: `EVIDSET#${key.formId}#${key.period}`,
});
export const evidenceKeys = (key: {
  libraryId: string;
  formId: string;
  period: string;
  evidenceId: string;
}) => ({ PK: libraryPartition(key.libraryId), SK: `${evidencePrefix(key)}${key.evidenceId}` });

/** Rollup run records of one form and period; the newest has the greatest sort key. */
export const rollupRunPartition = (formId: string, period: string) =>
  `${ROLLUP_RUN_PARTITION_PREFIX}${formId}#${period}`;
export const ROLLUP_RUN_PREFIX = 'RUN#';
export const rollupRunKeys = (run: {
  formId: string;
  period: string;
  createdAt: string;
  runId: string;
}) => ({
  PK: rollupRunPartition(run.formId, run.period),
  SK: `${ROLLUP_RUN_PREFIX}${run.createdAt}#${run.runId}`,
});
