/**
 * Runs of the province rollup: start one (asynchronously), compute it, publish its files under
 * its own prefix and only then move the `latest` pointer, so a failed run never leaves a
 * half-written latest; report the newest run and hand out short-lived download links.
 */
import { randomUUID } from 'node:crypto';
import { authorize } from '../auth/policy.js';
import type { Principal } from '../auth/principal.js';
import { NotFoundError } from '../errors.js';
import type { FormRegistry } from '../forms/catalog.js';
import type { FormValues } from '../forms/compile.js';
import { CSV_VARIANTS } from '../forms/csv-layout.js';
import type { PeriodType } from '../forms/definition.js';
import { parsePeriod, previousPeriod, recentPeriods } from '../forms/periods.js';
import { resolveForm } from '../forms/resolve.js';
import type { PeriodService } from '../periods/service.js';
import type { Library, LibraryStore } from '../registry/library.js';
import { actorOf, type SubmissionHead } from '../submissions/model.js';
import type { HeadListing, Page, SubmissionStore } from '../submissions/store.js';
import {
  LatestPointer,
  type ReportStorage,
  type RollupCounts,
  type RollupFile,
  type RollupLauncher,
  RollupManifest,
  type RollupRequest,
  type RollupRun,
  type RollupRunStore,
} from './model.js';
import { renderFiles, sha256Of } from './render.js';
import {
  COUNTED,
  OUTPUT_NAMES,
  RollupTables,
  yearOverYearKeys,
  yearOverYearValues,
} from './tables.js';

export const DOWNLOAD_EXPIRY_SECONDS = 5 * 60;
/**
 * Added to the worker's timeout before a run still `running` counts as abandoned: writes the
 * stopped invocation still had in flight, and clocks of two hosts a little apart. Lambda's
 * first retry comes a minute after a timeout, so it already finds the run abandoned.
 */
export const ABANDON_MARGIN_MS = 30 * 1000;
/** Lambda's longest timeout: without the worker's own, no invocation can outlive this. */
const LONGEST_WORKER_TIMEOUT_MS = 15 * 60 * 1000;
/** Earlier attempts' errors kept on a run: enough for Lambda's three, and the record stays small. */
const EARLIER_ERRORS_KEPT = 10;
const PAGE = 300;

/** The worker was handed a run that was never recorded. */
export class RollupRunNotFoundError extends Error {
  constructor(readonly request: RollupRequest) {
    super(`No rollup run ${request.runId} for ${request.formId} ${request.period}`);
    this.name = 'RollupRunNotFoundError';
  }
}

/**
 * The run is `running` and its worker may still be alive. Thrown rather than returned: if that
 * worker crashed, the event stays in Lambda's retries and, after the last, in the dead-letter
 * queue, instead of ending as if the run were done.
 */
export class RollupRunInProgressError extends Error {
  constructor(readonly run: RollupRun) {
    super(
      `Rollup run ${run.runId} for ${run.formId} ${run.period} has been running since ${run.startedAt ?? run.createdAt}`,
    );
    this.name = 'RollupRunInProgressError';
  }
}

const describeError = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 500) : 'Unknown error';

export interface RollupServiceDeps {
  runs: RollupRunStore;
  reports: ReportStorage;
  launcher: RollupLauncher;
  submissions: SubmissionStore;
  libraries: LibraryStore;
  periods: PeriodService;
  forms: FormRegistry;
  now: () => Date;
  /**
   * How long one invocation of the worker may run (its Lambda timeout). A run `running` for
   * longer, plus ABANDON_MARGIN_MS, has no invocation left and a retry takes it over. Absent:
   * Lambda's longest timeout.
   */
  workerTimeoutMs?: number;
}

const rollupPrefix = (formId: string, period: string) => `rollups/${formId}/${period}`;
const latestKey = (formId: string, period: string) => `${rollupPrefix(formId, period)}/latest.json`;
export const FILE_NAMES = OUTPUT_NAMES.flatMap((name) => [`${name}.csv`, `${name}.codes.csv`]);

export interface RollupStatus {
  latestRun?: RollupRun;
  /** The newest complete run, whose files the links below point at. */
  published?: LatestPointer & {
    files: { name: string; rows: number; sha256: string; downloadUrl: string }[];
  };
}

export class RollupService {
  constructor(private readonly deps: RollupServiceDeps) {}

  /**
   * Hands every head of a form and period (of the libraries `narrow` asks for) to `onPage`,
   * page by page, and returns once the last page was handled. The next page is already being
   * read while one is handled, so reading and computing overlap, and only a page or two of
   * whole heads is held at a time.
   */
  private async eachHeadPage(
    formId: string,
    period: string,
    narrow: HeadListing,
    onPage: (heads: readonly SubmissionHead[]) => void,
  ): Promise<void> {
    const read = (cursor?: string) =>
      this.deps.submissions.listHeads(
        formId,
        period,
        { limit: PAGE, ...(cursor ? { cursor } : {}) },
        narrow,
      );
    // A store may return more libraries than asked for; the other part handles those.
    const { before, from } = narrow;
    const asked = (head: SubmissionHead) =>
      (before === undefined || head.libraryId < before) &&
      (from === undefined || head.libraryId >= from);
    let next: Promise<Page<SubmissionHead>> | undefined = read();
    while (next) {
      const page: Page<SubmissionHead> = await next;
      next = page.nextCursor ? read(page.nextCursor) : undefined;
      // Should handling this page throw, the read already under way must not end unhandled.
      next?.catch(() => undefined);
      onPage(before === undefined && from === undefined ? page.items : page.items.filter(asked));
    }
  }

  /**
   * Every head of the period, read in two parts at once, split at the registry's middle
   * library: while one part's page is handled, the other's is being read.
   */
  private async eachHeadInParts(
    formId: string,
    period: string,
    libraries: readonly Library[],
    onPage: (heads: readonly SubmissionHead[]) => void,
  ): Promise<void> {
    const ids = libraries.map((library) => library.libraryId).sort();
    const middle = ids[Math.floor(ids.length / 2)];
    if (middle === undefined) return this.eachHeadPage(formId, period, {}, onPage);
    await Promise.all([
      this.eachHeadPage(formId, period, { before: middle }, onPage),
      this.eachHeadPage(formId, period, { from: middle }, onPage),
    ]);
  }

  private newRun(
    formId: string,
    period: string,
    trigger: RollupRun['trigger'],
    principal?: Principal,
  ): RollupRun {
    const createdAt = this.deps.now().toISOString();
    const runId = `${createdAt.replace(/[-:.]/g, '')}-${randomUUID().slice(0, 8)}`;
    return {
      formId,
      period,
      runId,
      status: 'queued',
      trigger,
      ...(principal ? { requestedBy: actorOf(principal) } : {}),
      createdAt,
      prefix: `${rollupPrefix(formId, period)}/runs/${runId}`,
    };
  }

  /** Queues a run and starts it asynchronously (202). */
  async start(principal: Principal, formId: string, period: string): Promise<RollupRun> {
    authorize(principal, 'rollup:run');
    resolveForm(this.deps.forms, formId, period);
    const run = this.newRun(formId, period, 'manual', principal);
    await this.deps.runs.put(run);
    try {
      await this.deps.launcher.launch({ formId, period, runId: run.runId });
    } catch (error) {
      // Never leave a run `queued` that nothing will ever execute; unless the invocation did
      // get through after all and a worker already took the run.
      await this.deps.runs
        .replace(
          {
            ...run,
            status: 'failed',
            finishedAt: this.deps.now().toISOString(),
            error: 'The run could not be started; start it again.',
          },
          { status: 'queued' },
        )
        .catch(() => undefined);
      throw error;
    }
    return run;
  }

  async status(principal: Principal, formId: string, period: string): Promise<RollupStatus> {
    authorize(principal, 'rollup:read');
    resolveForm(this.deps.forms, formId, period);
    const [latestRun, published] = await Promise.all([
      this.deps.runs.latest(formId, period),
      this.published(formId, period),
    ]);
    return {
      ...(latestRun ? { latestRun } : {}),
      ...(published
        ? {
            published: {
              ...published.pointer,
              files: await Promise.all(
                published.manifest.files.map(async (file) => ({
                  name: file.name,
                  rows: file.rows,
                  sha256: file.sha256,
                  downloadUrl: await this.deps.reports.presignDownload(
                    `${published.pointer.prefix}/${file.name}`,
                    `${formId}-${period}-${file.name}`,
                    DOWNLOAD_EXPIRY_SECONDS,
                  ),
                })),
              ),
            },
          }
        : {}),
    };
  }

  /** A short-lived link to one file of the newest complete run. */
  async fileUrl(
    principal: Principal,
    formId: string,
    period: string,
    name: string,
  ): Promise<string> {
    authorize(principal, 'rollup:read');
    resolveForm(this.deps.forms, formId, period);
    const published = await this.published(formId, period);
    const known = name === 'manifest.json' || FILE_NAMES.includes(name);
    if (!published || !known) {
      throw new NotFoundError({
        zh: published ? `没有文件 ${name}。` : '该报告期还没有汇总结果。',
        en: published ? `No file ${name}.` : 'There is no rollup for this period yet.',
      });
    }
    return this.deps.reports.presignDownload(
      `${published.pointer.prefix}/${name}`,
      `${formId}-${period}-${name}`,
      DOWNLOAD_EXPIRY_SECONDS,
    );
  }

  private async published(formId: string, period: string) {
    const pointerText = await this.deps.reports.getText(latestKey(formId, period));
    if (!pointerText) return undefined;
    const pointer = LatestPointer.parse(JSON.parse(pointerText));
    const manifestText = await this.deps.reports.getText(`${pointer.prefix}/manifest.json`);
    if (!manifestText) return undefined;
    return { pointer, manifest: RollupManifest.parse(JSON.parse(manifestText)) };
  }

  /**
   * Computes and publishes one run; a failure is recorded on the run and rethrown, so that
   * Lambda retries the event and, after its last attempt, sends it to the dead-letter queue.
   * Each delivery of the event takes the run anew if it is `queued`, `failed`, or `running`
   * but abandoned (longer than the worker's timeout); a `succeeded` run is returned as it is.
   */
  async execute(request: RollupRequest): Promise<RollupRun> {
    const current = await this.deps.runs.get(request.formId, request.period, request.runId);
    if (!current) throw new RollupRunNotFoundError(request);
    if (current.status === 'succeeded') return current;
    if (current.status === 'running' && !this.abandoned(current)) {
      throw new RollupRunInProgressError(current);
    }
    const { error: lastError, finishedAt: _, ...rest } = current;
    const earlierErrors = [
      ...(current.earlierErrors ?? []),
      ...(current.status === 'failed' && lastError ? [lastError] : []),
      ...(current.status === 'running'
        ? [`Attempt ${current.attempt ?? 1} did not finish: its worker timed out or stopped.`]
        : []),
    ].slice(-EARLIER_ERRORS_KEPT);
    const running: RollupRun = {
      ...rest,
      status: 'running',
      startedAt: this.deps.now().toISOString(),
      attempt: (current.attempt ?? 0) + 1,
      ...(earlierErrors.length > 0 ? { earlierErrors } : {}),
    };
    const taken = await this.deps.runs.replace(running, {
      status: current.status,
      attempt: current.attempt,
    });
    // Another worker took the run between our read and our write: it is that one's to finish.
    if (!taken)
      return (await this.deps.runs.get(request.formId, request.period, request.runId)) ?? current;
    try {
      return await this.finish(running, await this.compute(running));
    } catch (error) {
      await this.finish(running, {
        ...running,
        status: 'failed',
        finishedAt: this.deps.now().toISOString(),
        error: describeError(error),
      });
      throw error;
    }
  }

  /** Whether a `running` run has outlived any invocation that could be running it. */
  private abandoned(run: RollupRun): boolean {
    const timeout = this.deps.workerTimeoutMs ?? LONGEST_WORKER_TIMEOUT_MS;
    const since = new Date(run.startedAt ?? run.createdAt).getTime();
    return this.deps.now().getTime() - since > timeout + ABANDON_MARGIN_MS;
  }

  /**
   * Records how an attempt ended, only if the run is still this attempt's: should a retry have
   * taken it over meanwhile, that attempt's record stands and is returned.
   */
  private async finish(running: RollupRun, outcome: RollupRun): Promise<RollupRun> {
    if (await this.deps.runs.replace(outcome, { status: 'running', attempt: running.attempt })) {
      return outcome;
    }
    return (await this.deps.runs.get(running.formId, running.period, running.runId)) ?? outcome;
  }

  /**
   * Whether `latest` already shows a run created after this one (an older run's retry may end
   * after a newer run published). S3 offers no conditional put here, so the pointer is read
   * first; two runs ending in the same instant can still both write it.
   */
  private async newerPublished(run: RollupRun): Promise<boolean> {
    const text = await this.deps.reports.getText(latestKey(run.formId, run.period));
    if (!text) return false;
    const { runId } = LatestPointer.parse(JSON.parse(text));
    if (runId === run.runId) return false;
    const shown = await this.deps.runs.get(run.formId, run.period, runId);
    // A pointer to a run without a record cannot be ordered: it is replaced, as ever.
    if (!shown) return false;
    return shown.createdAt === run.createdAt ? runId > run.runId : shown.createdAt > run.createdAt;
  }

  private async compute(run: RollupRun): Promise<RollupRun> {
    const { formId, period } = run;
    const form = resolveForm(this.deps.forms, formId, period);
    const previousKey = previousPeriod(form.definition.periodType, period);
    const tables = new RollupTables({
      form,
      formOf: (head) => resolveForm(this.deps.forms, formId, period, head.formVersion),
      standards: this.deps.forms.standardsFor(formId),
    });
    // Each report is reduced to what the run needs as its page arrives: the tables keep the
    // values of counted reports; the run keeps every status and each counted report's digest;
    // of the previous period only the values compared year over year are kept.
    const statuses = new Map<string, SubmissionHead['status']>();
    const digests = new Map<string, string>();
    const previous = new Map<string, FormValues>();
    const yearOverYear = yearOverYearValues(form);
    const registry = this.deps.libraries.listLibraries();
    const [libraries, window, previousPublished] = await Promise.all([
      registry,
      this.deps.periods.windowFor(formId, period),
      this.published(formId, period),
      registry.then((libraries) =>
        this.eachHeadInParts(formId, period, libraries, (heads) => {
          for (const head of heads) {
            tables.add(head);
            statuses.set(head.libraryId, head.status);
            if (COUNTED.includes(head.status)) {
              digests.set(head.libraryId, sha256Of(JSON.stringify([head.status, head.values])));
            }
          }
        }),
      ),
      previousKey
        ? this.eachHeadPage(formId, previousKey, { valueKeys: yearOverYearKeys(form) }, (heads) => {
            for (const head of heads) {
              if (COUNTED.includes(head.status)) {
                previous.set(head.libraryId, yearOverYear(head.values));
              }
            }
          })
        : undefined,
    ]);

    const summaries: RollupFile[] = [];
    // A table's two files are rendered while the file before them is being written; none is
    // written after a write failed, and `latest` moves only after all of them and the manifest.
    let writing: Promise<void> = Promise.resolve();
    for (const table of tables.build({ libraries, previous, dueAt: window.dueAt })) {
      for (const file of renderFiles(table, CSV_VARIANTS)) {
        await writing;
        summaries.push({
          name: file.name,
          rows: file.rows,
          bytes: file.body.byteLength,
          sha256: file.sha256,
        });
        writing = this.deps.reports.put(
          `${run.prefix}/${file.name}`,
          file.body,
          'text/csv; charset=utf-8',
        );
        writing.catch(() => undefined);
      }
    }
    await writing;

    const inRegistry = new Set(libraries.map((library) => library.libraryId));
    const statusCount = (status: SubmissionHead['status']) => {
      let count = 0;
      for (const [libraryId, headStatus] of statuses) {
        if (headStatus === status && inRegistry.has(libraryId)) count += 1;
      }
      return count;
    };
    // In the order of the listing (by library id), whatever order the parts' pages came in.
    const libraryDigests: Record<string, string> = {};
    for (const [libraryId, digest] of [...digests].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (inRegistry.has(libraryId)) libraryDigests[libraryId] = digest;
    }
    const reported = [...statuses.keys()].filter((libraryId) => inRegistry.has(libraryId)).length;
    const counts: RollupCounts = {
      libraries: libraries.length,
      counted: Object.keys(libraryDigests).length,
      accepted: statusCount('accepted'),
      submitted: statusCount('submitted'),
      returned: statusCount('returned'),
      draft: statusCount('draft'),
      missing: libraries.length - reported,
    };
    const before = previousPublished?.manifest.libraryDigests ?? {};
    const asOf = this.deps.now().toISOString();
    const manifest: RollupManifest = {
      runId: run.runId,
      formId,
      period,
      formVersion: form.definition.version,
      asOf,
      dueAt: window.dueAt,
      counts,
      files: summaries,
      changes: {
        ...(previousPublished ? { previousRunId: previousPublished.pointer.runId } : {}),
        changed: Object.keys(libraryDigests).filter(
          (libraryId) =>
            before[libraryId] !== undefined && before[libraryId] !== libraryDigests[libraryId],
        ),
        withdrawn: Object.keys(before).filter(
          (libraryId) => libraryDigests[libraryId] === undefined,
        ),
        newlySubmitted: Object.keys(libraryDigests).filter(
          (libraryId) => before[libraryId] === undefined,
        ),
      },
      libraryDigests,
    };
    await this.deps.reports.put(
      `${run.prefix}/manifest.json`,
      Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`),
      'application/json',
    );
    // Only now, with every file in place, does `latest` move; never back to an older run.
    if (!(await this.newerPublished(run))) {
      const pointer: LatestPointer = { runId: run.runId, prefix: run.prefix, asOf };
      await this.deps.reports.put(
        latestKey(formId, period),
        Buffer.from(JSON.stringify(pointer)),
        'application/json',
      );
    }
    return { ...run, status: 'succeeded', finishedAt: asOf, files: summaries, counts };
  }

  /**
   * The nightly run: every form's periods that are open, or locked within the last 60 days
   * (late corrections still arrive), each as a run of its own.
   */
  async runScheduled(): Promise<RollupRun[]> {
    const now = this.deps.now();
    const results: RollupRun[] = [];
    for (const summary of this.deps.forms.list()) {
      for (const period of candidatePeriods(summary.periodType, now)) {
        if (!parsePeriod(summary.periodType, period)) continue;
        const window = await this.deps.periods.windowFor(summary.formId, period);
        const recentLock = new Date(window.locksAt).getTime() + 60 * 24 * 3_600_000;
        if (new Date(window.opensAt) > now || recentLock < now.getTime()) continue;
        const run = this.newRun(summary.formId, period, 'schedule');
        await this.deps.runs.put(run);
        results.push(
          await this.execute(run).catch(
            async () => (await this.deps.runs.get(run.formId, run.period, run.runId)) ?? run,
          ),
        );
      }
    }
    return results;
  }
}

/**
 * The periods a nightly run considers, oldest first: this one and the one before it (annual) or
 * the last four halves, by Beijing time as periods are (a run at 02:00 on 1 January belongs to
 * the new year), each then kept only while its window is open or within 60 days of its lock.
 */
const candidatePeriods = (periodType: PeriodType, now: Date): string[] =>
  recentPeriods(periodType, now, periodType === 'annual' ? 2 : 4).reverse();
