import * as z from 'zod/mini';
import { Actor } from '../submissions/model.js';

export const RollupRunStatus = z.enum(['queued', 'running', 'succeeded', 'failed']);
export type RollupRunStatus = z.infer<typeof RollupRunStatus>;

export const RollupFile = z.object({
  name: z.string(),
  rows: z.number().check(z.int(), z.nonnegative()),
  bytes: z.number().check(z.int(), z.nonnegative()),
  sha256: z.string(),
});
export type RollupFile = z.infer<typeof RollupFile>;

export const RollupCounts = z.object({
  libraries: z.number().check(z.int()),
  counted: z.number().check(z.int()),
  accepted: z.number().check(z.int()),
  submitted: z.number().check(z.int()),
  returned: z.number().check(z.int()),
  draft: z.number().check(z.int()),
  missing: z.number().check(z.int()),
});
export type RollupCounts = z.infer<typeof RollupCounts>;

export const RollupRun = z.object({
  formId: z.string(),
  period: z.string(),
  runId: z.string(),
  status: RollupRunStatus,
  trigger: z.enum(['manual', 'schedule']),
  requestedBy: z.optional(Actor),
  createdAt: z.string(),
  startedAt: z.optional(z.string()),
  finishedAt: z.optional(z.string()),
  /** Where the run's files are in the reports bucket. */
  prefix: z.string(),
  files: z.optional(z.array(RollupFile)),
  counts: z.optional(RollupCounts),
  /**
   * What went wrong, for the office: a kind (`storage-unavailable`, `access-denied`, …), the
   * error's name when it is a known one, and the run and attempt; never the error's own text,
   * which is only in the logs (see describeFailure in service.ts).
   */
  error: z.optional(z.string()),
  /**
   * How many times a worker has taken the run (absent: never). Each take is conditioned on the
   * status and attempt it read, so two workers never run it at once.
   */
  attempt: z.optional(z.number().check(z.int(), z.positive())),
  /** What went wrong in the attempts before this one, oldest first. */
  earlierErrors: z.optional(z.array(z.string())),
});
export type RollupRun = z.infer<typeof RollupRun>;

/** The state a run was read in; a conditional write succeeds only while it still holds. */
export type RollupRunVersion = Pick<RollupRun, 'status' | 'attempt'>;

export const RollupManifest = z.object({
  runId: z.string(),
  formId: z.string(),
  period: z.string(),
  formVersion: z.string(),
  asOf: z.string(),
  dueAt: z.string(),
  counts: RollupCounts,
  files: z.array(RollupFile),
  changes: z.object({
    previousRunId: z.optional(z.string()),
    /** Counted reports whose values or status changed since the previous run. */
    changed: z.array(z.string()),
    /** Reports counted now that were not counted in the previous run. */
    newlySubmitted: z.array(z.string()),
    /** Reports counted in the previous run that no longer count (returned since). */
    withdrawn: z.array(z.string()),
  }),
  /** sha256 of each counted report's status and values, to compute the next run's changes. */
  libraryDigests: z.record(z.string(), z.string()),
});
export type RollupManifest = z.infer<typeof RollupManifest>;

/** The pointer to the newest complete run, written only after all of its files. */
export const LatestPointer = z.object({ runId: z.string(), prefix: z.string(), asOf: z.string() });
export type LatestPointer = z.infer<typeof LatestPointer>;

export interface RollupRequest {
  formId: string;
  period: string;
  runId: string;
}

/** Port: run records (status, files, errors), newest first. */
export interface RollupRunStore {
  /** Records a new run. */
  put(run: RollupRun): Promise<void>;
  /**
   * Writes `run` over its record only if that record is still at `expected`; false (and nothing
   * written) when another writer moved it first.
   */
  replace(run: RollupRun, expected: RollupRunVersion): Promise<boolean>;
  get(formId: string, period: string, runId: string): Promise<RollupRun | undefined>;
  latest(formId: string, period: string): Promise<RollupRun | undefined>;
}

/** Port: the reports bucket. */
export interface ReportStorage {
  put(key: string, body: Buffer, contentType: string): Promise<void>;
  getText(key: string): Promise<string | undefined>;
  presignDownload(key: string, fileName: string, expiresInSeconds: number): Promise<string>;
}

/**
 * Port: the functions' structured log (Powertools' Logger fits it), where a failure's full
 * details go: AWS errors name roles, accounts, tables and buckets, which no run record shows.
 */
export interface RollupLog {
  error(message: string, details: { [key: string]: unknown }): void;
}

/** Port: starts a run without waiting for it (an asynchronous Lambda invocation). */
export interface RollupLauncher {
  launch(request: RollupRequest): Promise<void>;
}
