/**
 * Runs of the province rollup: start one (asynchronously), compute it, publish its files under
 * its own prefix and only then move the `latest` pointer, so a failed run never leaves a
 * half-written latest; report the newest run and hand out short-lived download links.
 */
import { randomUUID } from 'node:crypto';
import { authorize } from '../auth/policy.js';
import type { Principal } from '../auth/principal.js';
import { type LocalizedText, NotFoundError } from '../errors.js';
import type { FormRegistry } from '../forms/catalog.js';
import type { FormValues } from '../forms/compile.js';
import { CSV_VARIANTS } from '../forms/csv-layout.js';
import type { PeriodType } from '../forms/definition.js';
import { upgradeValues } from '../forms/migrate.js';
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
  type RollupLog,
  RollupManifest,
  type RollupRequest,
  type RollupRun,
  type RollupRunStore,
} from './model.js';
import { renderFiles, sha256Of } from './render.js';
import {
  COUNTED,
  OUTPUT_NAMES,
  previousValuesOf,
  RollupTables,
  yearOverYearKeys,
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

/** How long after a period locks, or after its last lock exception ends, nights still run it. */
const LATE_CORRECTIONS_MS = 60 * 24 * 3_600_000;

/** What kind of failure ended an attempt: what the office (and its IT staff) may be told. */
export type RollupFailureKind =
  | 'access-denied'
  | 'missing-resource'
  | 'timeout'
  | 'storage-unavailable'
  | 'invalid-data'
  | 'unknown';

const FAILURE_TEXT: Record<RollupFailureKind, LocalizedText> = {
  'access-denied': { zh: '没有访问存储的权限', en: 'access to storage was denied' },
  'missing-resource': { zh: '找不到所需的数据表或存储桶', en: 'a table or bucket was not found' },
  timeout: { zh: '服务响应超时', en: 'a service did not answer in time' },
  'storage-unavailable': {
    zh: '存储服务暂时不可用或限流',
    en: 'storage was unavailable or throttled',
  },
  'invalid-data': { zh: '读到的数据无法处理', en: 'data read could not be processed' },
  unknown: { zh: '内部错误', en: 'internal error' },
};

/**
 * Error names and network codes that may be shown (they name no account, role or resource),
 * each with its kind. Any other name is left out: a library's own error class could carry
 * anything.
 */
const KNOWN_FAILURES: Record<string, RollupFailureKind> = {
  AccessDenied: 'access-denied',
  AccessDeniedException: 'access-denied',
  Forbidden: 'access-denied',
  InvalidAccessKeyId: 'access-denied',
  SignatureDoesNotMatch: 'access-denied',
  ExpiredToken: 'access-denied',
  ExpiredTokenException: 'access-denied',
  UnrecognizedClientException: 'access-denied',
  InvalidClientTokenId: 'access-denied',
  CredentialsProviderError: 'access-denied',
  NoSuchBucket: 'missing-resource',
  ResourceNotFoundException: 'missing-resource',
  ConfigurationError: 'missing-resource',
  TimeoutError: 'timeout',
  RequestTimeout: 'timeout',
  RequestTimeoutException: 'timeout',
  AbortError: 'timeout',
  ETIMEDOUT: 'timeout',
  DependencyUnavailableError: 'storage-unavailable',
  ProvisionedThroughputExceededException: 'storage-unavailable',
  ThrottlingException: 'storage-unavailable',
  Throttling: 'storage-unavailable',
  SlowDown: 'storage-unavailable',
  RequestLimitExceeded: 'storage-unavailable',
  TooManyRequestsException: 'storage-unavailable',
  InternalServerError: 'storage-unavailable',
  InternalError: 'storage-unavailable',
  ServiceUnavailable: 'storage-unavailable',
  ServiceUnavailableException: 'storage-unavailable',
  ECONNREFUSED: 'storage-unavailable',
  ECONNRESET: 'storage-unavailable',
  EPIPE: 'storage-unavailable',
  EHOSTUNREACH: 'storage-unavailable',
  ENOTFOUND: 'storage-unavailable',
  EAI_AGAIN: 'storage-unavailable',
  ValidationException: 'invalid-data',
  SerializationException: 'invalid-data',
  $ZodError: 'invalid-data',
  ZodError: 'invalid-data',
  SyntaxError: 'invalid-data',
};

/**
 * A service's answer that named no error (a proxy's 502 page), as the app's AWS clients name it
 * (`Http502`): shown, classified by status.
 */
const UNNAMED_SERVICE_ERROR = /^Http\d{3}$/;

/** When an error's chain holds several kinds, the one most telling what to fix. */
const KIND_ORDER: readonly RollupFailureKind[] = [
  'access-denied',
  'missing-resource',
  'timeout',
  'storage-unavailable',
  'invalid-data',
];

/** The error and its causes (adapters wrap the AWS clients' errors), outermost first. */
const causeChain = (error: unknown): object[] => {
  const chain: object[] = [];
  let current: unknown = error;
  while (typeof current === 'object' && current !== null && chain.length < 5) {
    if (chain.includes(current)) break;
    chain.push(current);
    current = (current as { cause?: unknown }).cause;
  }
  return chain;
};

/** A kind from what an AWS error carries besides its name: the HTTP status of the answer. */
const kindOfStatus = (error: object): RollupFailureKind | undefined => {
  const status = (error as { $metadata?: { httpStatusCode?: unknown } }).$metadata?.httpStatusCode;
  if (typeof status !== 'number') return undefined;
  if (status === 401 || status === 403) return 'access-denied';
  if (status === 408) return 'timeout';
  if (status === 429 || status >= 500) return 'storage-unavailable';
  return undefined;
};

/** The kind of a failure and the known names (and network codes) its chain holds. */
export const classifyFailure = (error: unknown): { kind: RollupFailureKind; names: string[] } => {
  const names: string[] = [];
  const kinds = new Set<RollupFailureKind>();
  for (const link of causeChain(error)) {
    const { name, code } = link as { name?: unknown; code?: unknown };
    for (const candidate of [name, code]) {
      if (typeof candidate !== 'string') continue;
      const kind = Object.hasOwn(KNOWN_FAILURES, candidate) ? KNOWN_FAILURES[candidate] : undefined;
      if (kind) kinds.add(kind);
      if ((kind || UNNAMED_SERVICE_ERROR.test(candidate)) && !names.includes(candidate)) {
        names.push(candidate);
      }
    }
    const byStatus = kindOfStatus(link);
    if (byStatus) kinds.add(byStatus);
  }
  return { kind: KIND_ORDER.find((kind) => kinds.has(kind)) ?? 'unknown', names };
};

/**
 * What a run record says about a failed attempt, e.g. `access-denied (AccessDenied) · 没有访问
 * 存储的权限 / access to storage was denied · run 2026…-1a2b3c4d, attempt 1`: the kind, the known
 * names, and the run and attempt to find the full error in the logs by. Never the error's
 * message: AWS's name role ARNs, account ids, tables and buckets, and the record reaches the
 * office through GET /api/rollups.
 */
export const describeFailure = (error: unknown, run: RollupRun): string => {
  const { kind, names } = classifyFailure(error);
  const text = FAILURE_TEXT[kind];
  return `${kind}${names.length > 0 ? ` (${names.join(', ')})` : ''} · ${text.zh} / ${text.en} · run ${run.runId}, attempt ${run.attempt ?? 1}`;
};

/** What a run record may say: a description made by describeFailure, or a text of this file. */
const LAUNCH_FAILED = 'The run could not be started; start it again.';
const SUPERSEDED =
  'superseded · 同时发起的另一次汇总已在运行，本次未运行 / another run started at the same moment ran instead';
const SUPERSEDED_BY_NEWER =
  'superseded · 本期已有更新的汇总，本次不再运行 / a newer run of this period was started, so this one no longer runs';
const SAFE_DESCRIPTION =
  /^(?:(?:access-denied|missing-resource|timeout|storage-unavailable|invalid-data|unknown|superseded)(?: \([\w$, ]+\))? · |Attempt \d+ did not finish: its worker timed out or stopped\.$|The run could not be started; start it again\.$)/;
const LEGACY_ERROR =
  'unknown · 早期记录的错误，详情见运行日志 / an error recorded before descriptions were made safe; see the logs';

/**
 * A record's error as shown: records written before descriptions were made safe hold the raw
 * `${name}: ${message}`, which is replaced rather than shown.
 */
const shownError = (text: string): string => (SAFE_DESCRIPTION.test(text) ? text : LEGACY_ERROR);

export interface RollupServiceDeps {
  runs: RollupRunStore;
  reports: ReportStorage;
  launcher: RollupLauncher;
  submissions: SubmissionStore;
  libraries: LibraryStore;
  periods: PeriodService;
  forms: FormRegistry;
  now: () => Date;
  /** Where a failure's full details are written; absent: standard error, as one line. */
  log?: RollupLog;
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

  /**
   * Queues a run and starts it asynchronously (202); while the newest run of this form and
   * period is queued or running (and not abandoned), returns that one instead, so that a double
   * click, a client's retry or a looping script does not queue a second worker. (An older run
   * whose newer one failed keeps its retries, and is not seen here: a start then runs beside
   * it, and `latest` ends at the newer of the two.)
   */
  async start(principal: Principal, formId: string, period: string): Promise<RollupRun> {
    authorize(principal, 'rollup:run');
    resolveForm(this.deps.forms, formId, period);
    const active = await this.activeRun(formId, period);
    if (active) return active;
    const run = this.newRun(formId, period, 'manual', principal);
    await this.deps.runs.put(run);
    // Two starts at the same moment may both have found none. The store orders runs, so each
    // looks again after its own write: a run no longer the newest yields to the newer one,
    // which always finds itself newest and goes on. Only a start whose write and read both
    // fall between the other's read and write still launches a second run.
    const newest = await this.activeRun(formId, period);
    if (newest && newest.runId !== run.runId) {
      // Should this write fail, the record stays `queued`, older than the newest: never shown.
      await this.failUntaken(run, SUPERSEDED);
      return newest;
    }
    try {
      await this.deps.launcher.launch({ formId, period, runId: run.runId });
    } catch (error) {
      // Never leave a run `queued` that nothing will ever execute.
      await this.failUntaken(run, LAUNCH_FAILED);
      throw error;
    }
    return run;
  }

  /**
   * Records a run that no worker will take as failed, unless a worker took it after all (it is
   * no longer as read), and returns the record as it then stands; a failure to write is left
   * to the abandonment rule.
   */
  private async failUntaken(run: RollupRun, error: string): Promise<RollupRun> {
    const failed: RollupRun = {
      ...run,
      status: 'failed',
      finishedAt: this.deps.now().toISOString(),
      error,
    };
    return this.replaceAsRead(run, failed).catch(() => run);
  }

  /**
   * Writes `next` over a run only if the run is still as `read` (its status and attempt), and
   * returns the record as it then stands: `next`, or what another worker wrote meanwhile.
   */
  private async replaceAsRead(read: RollupRun, next: RollupRun): Promise<RollupRun> {
    if (await this.deps.runs.replace(next, { status: read.status, attempt: read.attempt })) {
      return next;
    }
    return (await this.deps.runs.get(read.formId, read.period, read.runId)) ?? next;
  }

  /** The newest run of a form and period if it is queued or running and not abandoned. */
  private async activeRun(formId: string, period: string): Promise<RollupRun | undefined> {
    const latest = await this.deps.runs.latest(formId, period);
    return latest && this.isActive(latest) ? latest : undefined;
  }

  private isActive(run: RollupRun): boolean {
    return (run.status === 'queued' || run.status === 'running') && !this.abandoned(run);
  }

  /** Whether a run compiles its period in an older run's place: it is under way or published. */
  private standsFor(run: RollupRun): boolean {
    return run.status === 'succeeded' || this.isActive(run);
  }

  async status(principal: Principal, formId: string, period: string): Promise<RollupStatus> {
    authorize(principal, 'rollup:read');
    resolveForm(this.deps.forms, formId, period);
    const [latestRun, published] = await Promise.all([
      this.deps.runs.latest(formId, period),
      this.published(formId, period),
    ]);
    return {
      ...(latestRun ? { latestRun: withShownErrors(latestRun) } : {}),
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
   * but abandoned (longer than the worker's timeout); a `succeeded` run is returned as it is,
   * and one that is no longer the newest of its period is not run again.
   */
  async execute(request: RollupRequest): Promise<RollupRun> {
    const current = await this.deps.runs.get(request.formId, request.period, request.runId);
    if (!current) throw new RollupRunNotFoundError(request);
    if (current.status === 'succeeded') return current;
    if (current.status === 'running' && !this.abandoned(current)) {
      throw new RollupRunInProgressError(current);
    }
    // A run no longer the newest of its period (its retry, or its event, came after a start
    // found it failed or abandoned) yields to the newer run while that one is under way or has
    // published, so that two workers do not compile one period side by side; a newer run that
    // failed or was abandoned leaves this one its retries.
    const newest = await this.deps.runs.latest(request.formId, request.period);
    if (newest && newest.runId !== current.runId && this.standsFor(newest)) {
      return current.status === 'failed' ? current : this.failUntaken(current, SUPERSEDED_BY_NEWER);
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
      const description = describeFailure(error, running);
      // The record says what kind of failure it was; the log keeps the error itself.
      this.log.error('Rollup attempt failed', {
        formId: running.formId,
        period: running.period,
        runId: running.runId,
        attempt: running.attempt,
        description,
        error,
      });
      await this.finish(running, {
        ...running,
        status: 'failed',
        finishedAt: this.deps.now().toISOString(),
        error: description,
      });
      throw error;
    }
  }

  private get log(): RollupLog {
    return this.deps.log ?? STANDARD_ERROR_LOG;
  }

  /**
   * Whether a `running` run has outlived any invocation that could be running it; for a
   * `queued` one, whether no worker took it in as long, counted from its creation.
   */
  private abandoned(run: RollupRun): boolean {
    const timeout = this.deps.workerTimeoutMs ?? LONGEST_WORKER_TIMEOUT_MS;
    const since = new Date(run.startedAt ?? run.createdAt).getTime();
    return this.deps.now().getTime() - since > timeout + ABANDON_MARGIN_MS;
  }

  /**
   * Records how an attempt ended, only if the run is still this attempt's: should a retry have
   * taken it over meanwhile, that attempt's record stands and is returned.
   */
  private finish(running: RollupRun, outcome: RollupRun): Promise<RollupRun> {
    return this.replaceAsRead(running, outcome);
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
    const definitions = this.deps.forms.definitionsOf(formId);
    const upgrade = (values: FormValues, version: string) =>
      upgradeValues(definitions, version, values);
    const formOf = (head: Pick<SubmissionHead, 'formVersion'>) =>
      resolveForm(this.deps.forms, formId, period, head.formVersion);
    const tables = new RollupTables({
      form,
      formOf,
      upgrade,
      standards: this.deps.forms.standardsFor(formId),
    });
    // Each report is reduced to what the run needs as its page arrives: the tables keep the
    // values of counted reports; the run keeps every status and each counted report's digest;
    // of the previous period only the values compared year over year are kept.
    const statuses = new Map<string, SubmissionHead['status']>();
    const digests = new Map<string, string>();
    const previous = new Map<string, FormValues>();
    const previousValues = previousValuesOf({ form, formOf, upgrade });
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
        ? this.eachHeadPage(
            formId,
            previousKey,
            {
              valueKeys: yearOverYearKeys(
                form,
                definitions.flatMap(
                  (definition) => this.deps.forms.get(formId, definition.version) ?? [],
                ),
              ),
            },
            (heads) => {
              for (const head of heads) {
                if (COUNTED.includes(head.status)) {
                  previous.set(head.libraryId, previousValues(head));
                }
              }
            },
          )
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
   * The nightly run: every form's periods that are open, or locked within the last 60 days, or
   * whose latest lock exception is in force or ended within the last 60 days (late corrections
   * still arrive, and the state an exception leaves is compiled too), each as a run of its own;
   * a period whose manually started run is still queued or running is left to it (returned as
   * it is).
   */
  async runScheduled(): Promise<RollupRun[]> {
    const now = this.deps.now();
    const results: RollupRun[] = [];
    for (const summary of this.deps.forms.list()) {
      for (const period of candidatePeriods(summary.periodType, now)) {
        if (!parsePeriod(summary.periodType, period)) continue;
        if (!(await this.scheduledNow(summary.formId, period, now))) continue;
        // A run someone started is compiling the period already: it is left to finish (its
        // event has Lambda's retries). A scheduled one still under way is this night's own,
        // left by an invocation that timed out: a retry of the night runs the period anew.
        const active = await this.activeRun(summary.formId, period);
        if (active?.trigger === 'manual') {
          results.push(active);
          continue;
        }
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

  /**
   * Whether the nightly run compiles a period now: once it opened, until 60 days after the
   * later of its lock and its latest lock exception's end. Exceptions are read only for a
   * period past its own 60 days.
   */
  private async scheduledNow(formId: string, period: string, now: Date): Promise<boolean> {
    const window = await this.deps.periods.windowFor(formId, period);
    if (Date.parse(window.opensAt) > now.getTime()) return false;
    const stillWithin = (bound: string) => now.getTime() <= Date.parse(bound) + LATE_CORRECTIONS_MS;
    if (stillWithin(window.locksAt)) return true;
    const exceptions = await this.deps.periods.exceptionsOf(formId, period);
    return exceptions.some((exception) => stillWithin(exception.until));
  }
}

/** A run as GET shows it: errors of records from before descriptions were made safe replaced. */
const withShownErrors = (run: RollupRun): RollupRun => ({
  ...run,
  ...(run.error === undefined ? {} : { error: shownError(run.error) }),
  ...(run.earlierErrors ? { earlierErrors: run.earlierErrors.map(shownError) } : {}),
});

/** Without the functions' logger: standard error, which Lambda's log keeps too. */
const STANDARD_ERROR_LOG: RollupLog = {
  error: (message, details) => console.error(message, details),
};

/**
 * The periods a nightly run considers, oldest first: this one and the one before it (annual) or
 * the last four halves, by Beijing time as periods are (a run at 02:00 on 1 January belongs to
 * the new year), each then kept only while RollupService.scheduledNow says so. An exception
 * for an older period is compiled by starting a run (POST), not at night.
 */
const candidatePeriods = (periodType: PeriodType, now: Date): string[] =>
  recentPeriods(periodType, now, periodType === 'annual' ? 2 : 4).reverse();
