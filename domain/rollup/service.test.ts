import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'csv-parse/sync';
import type { Principal } from '../auth/principal.js';
import { AppError, BadRequestError, ForbiddenError, NotFoundError } from '../errors.js';
import { FormRegistry } from '../forms/catalog.js';
import { FormDefinition } from '../forms/definition.js';
import { countyAnnualReport, realPeriods, realStandards } from '../forms/fixtures.js';
import { holdingsShownWithNote } from '../forms/show-when-fixtures.js';
import { PeriodService } from '../periods/service.js';
import { InMemoryLibraryStore } from '../registry/memory-store.js';
import { InMemoryPeriodStore, InMemorySubmissionStore } from '../submissions/memory-store.js';
import type { SubmissionHead, SubmissionKey, SubmissionRevision } from '../submissions/model.js';
import type { HeadListing, Page, PageRequest, SubmissionStore } from '../submissions/store.js';
import {
  DUE_AT,
  FORM_ID,
  fixtureHeads,
  fixtureLibraries,
  headOf,
  LOUFAN,
  PERIOD,
  previousHeads,
  QINGXU,
  QINXIAN,
  qingxuReport2025,
  WUXIANG,
  YANGQU,
} from './__fixtures__/province.js';
import {
  LatestPointer,
  type ReportStorage,
  type RollupLauncher,
  type RollupLog,
  RollupManifest,
  type RollupRequest,
  RollupRun,
  type RollupRunStore,
  type RollupRunVersion,
} from './model.js';
import { sha256Of } from './render.js';
import {
  ABANDON_MARGIN_MS,
  classifyFailure,
  DOWNLOAD_EXPIRY_SECONDS,
  describeFailure,
  FILE_NAMES,
  RollupRunInProgressError,
  RollupRunNotFoundError,
  RollupService,
} from './service.js';

// ─── Fakes ───────────────────────────────────────────────────────────────────────────────

/** Run records by form, period and run id; the newest is the highest run id (it starts with the time). */
class MemoryRunStore implements RollupRunStore {
  readonly runs = new Map<string, RollupRun>();
  /** Records written: every put and every replace that held. */
  puts = 0;
  /** Replaces refused because the record had moved on. */
  refused = 0;

  async put(run: RollupRun): Promise<void> {
    this.puts += 1;
    this.runs.set(
      `${run.formId}/${run.period}/${run.runId}`,
      RollupRun.parse(structuredClone(run)),
    );
  }

  /** Like DynamoDB's conditional put: only over a record still at the status and attempt given. */
  async replace(run: RollupRun, expected: RollupRunVersion): Promise<boolean> {
    const stored = this.runs.get(`${run.formId}/${run.period}/${run.runId}`);
    if (stored?.status !== expected.status || stored.attempt !== expected.attempt) {
      this.refused += 1;
      return false;
    }
    await this.put(run);
    return true;
  }

  async get(formId: string, period: string, runId: string): Promise<RollupRun | undefined> {
    const run = this.runs.get(`${formId}/${period}/${runId}`);
    return run ? RollupRun.parse(structuredClone(run)) : undefined;
  }

  async latest(formId: string, period: string): Promise<RollupRun | undefined> {
    const newest = [...this.runs.values()]
      .filter((run) => run.formId === formId && run.period === period)
      .sort((a, b) => (a.runId < b.runId ? 1 : a.runId > b.runId ? -1 : 0))[0];
    return newest ? RollupRun.parse(structuredClone(newest)) : undefined;
  }
}

interface StoredObject {
  body: Buffer;
  contentType: string;
}

/** The reports bucket as a map; records every put in order and can fail one. */
class MemoryReports implements ReportStorage {
  readonly objects = new Map<string, StoredObject>();
  /** Keys of successful puts, in order. */
  readonly puts: string[] = [];
  readonly presigned: { key: string; fileName: string; expiresInSeconds: number }[] = [];
  private failure?: { prefix: string; nth: number; error: Error; seen: number };
  private hold?: { prefix: string; left: number; released: Promise<void>; reached: () => void };

  /** Makes the nth put of a key under `prefix` throw `error`. */
  failNthPutUnder(prefix: string, nth: number, error: Error): void {
    this.failure = { prefix, nth, error, seen: 0 };
  }

  /**
   * Holds the next `times` puts of a key under `prefix` (all of them by default) until
   * `release` is called: a worker hanging on storage. `reached` settles when the first is held.
   */
  holdPutsUnder(prefix: string, times = Number.POSITIVE_INFINITY) {
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let reachedNow = () => {};
    const reached = new Promise<void>((resolve) => {
      reachedNow = resolve;
    });
    this.hold = { prefix, left: times, released, reached: reachedNow };
    return { reached, release };
  }

  async put(key: string, body: Buffer, contentType: string): Promise<void> {
    if (this.hold && this.hold.left > 0 && key.startsWith(this.hold.prefix)) {
      this.hold.left -= 1;
      this.hold.reached();
      await this.hold.released;
    }
    if (this.failure && key.startsWith(this.failure.prefix)) {
      this.failure.seen += 1;
      if (this.failure.seen === this.failure.nth) throw this.failure.error;
    }
    this.objects.set(key, { body: Buffer.from(body), contentType });
    this.puts.push(key);
  }

  async getText(key: string): Promise<string | undefined> {
    return this.objects.get(key)?.body.toString('utf8');
  }

  async presignDownload(key: string, fileName: string, expiresInSeconds: number): Promise<string> {
    this.presigned.push({ key, fileName, expiresInSeconds });
    return `https://reports.test/${key}?download=${encodeURIComponent(fileName)}&expires=${expiresInSeconds}`;
  }

  body(key: string): Buffer {
    const object = this.objects.get(key);
    if (!object) throw new Error(`Nothing stored at ${key}`);
    return object.body;
  }
}

class RecordingLauncher implements RollupLauncher {
  readonly requests: RollupRequest[] = [];
  /** When set, the next launch fails with it (Lambda throttled, say). */
  failWith?: Error;

  async launch(request: RollupRequest): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.requests.push({ ...request });
  }
}

/** The functions' logger, as the service sees it: every entry kept. */
class RecordingLog implements RollupLog {
  readonly entries: { message: string; details: { [key: string]: unknown } }[] = [];
  error(message: string, details: { [key: string]: unknown }): void {
    this.entries.push({ message, details });
  }
}

/** Internal names as AWS's errors carry them in their messages: none may reach the office. */
const ROLE_ARN = 'arn:aws:sts::123456789012:assumed-role/CountyLibraryReports-RunRollupRole/x';
const BUCKET = 'countylibraryreports-reportsbucket-1a2b3c4d';

/** An error shaped like the SDK's: a name, a message naming internals, the HTTP status. */
const awsError = (name: string, status: number, message = `${ROLE_ARN} on ${BUCKET}`) =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });

/** Hands out at most `limit` heads per page, so the service must follow the cursors. */
const smallPages = (inner: SubmissionStore, limit: number): SubmissionStore => ({
  getHead: (key) => inner.getHead(key),
  getHeads: (keys) => inner.getHeads(keys),
  commit: (head, revision, expected) => inner.commit(head, revision, expected),
  listRevisions: (key, page) => inner.listRevisions(key, page),
  getRevision: (key, revision) => inner.getRevision(key, revision),
  listHeads: (
    formId: string,
    period: string,
    page: PageRequest,
    narrow?: HeadListing,
  ): Promise<Page<SubmissionHead>> =>
    inner.listHeads(formId, period, { ...page, limit: Math.min(page.limit, limit) }, narrow),
});

/**
 * Records every listing and, like the DynamoDB store, returns only the libraries and of
 * `values` only the keys asked for, two heads a page; can fail the nth listing of a period.
 */
class ListingStore implements SubmissionStore {
  readonly listings: ({ period: string; cursor?: string } & HeadListing)[] = [];
  failure?: { period: string; nth: number; error: Error };

  constructor(private readonly inner: SubmissionStore) {}

  getHead = (key: SubmissionKey) => this.inner.getHead(key);
  getHeads = (keys: readonly SubmissionKey[]) => this.inner.getHeads(keys);
  commit = (head: SubmissionHead, revision: SubmissionRevision, expected: number) =>
    this.inner.commit(head, revision, expected);
  listRevisions = (key: SubmissionKey, page: PageRequest) => this.inner.listRevisions(key, page);
  getRevision = (key: SubmissionKey, revision: number) => this.inner.getRevision(key, revision);

  async listHeads(
    formId: string,
    period: string,
    page: PageRequest,
    narrow: HeadListing = {},
  ): Promise<Page<SubmissionHead>> {
    this.listings.push({ period, ...(page.cursor ? { cursor: page.cursor } : {}), ...narrow });
    const nth = this.listings.filter((listing) => listing.period === period).length;
    if (this.failure?.period === period && this.failure.nth === nth) throw this.failure.error;
    const { valueKeys, before, from } = narrow;
    // The cursor is the last library handed out; a page holds two heads.
    const all = (await this.inner.listHeads(formId, period, { limit: 1_000 })).items.filter(
      (head) =>
        (before === undefined || head.libraryId < before) &&
        (from === undefined || head.libraryId >= from) &&
        (page.cursor === undefined || head.libraryId > page.cursor),
    );
    const items = all.slice(0, 2).map((head) =>
      valueKeys
        ? {
            ...head,
            values: Object.fromEntries(
              Object.entries(head.values).filter(([key]) => valueKeys.includes(key)),
            ),
          }
        : head,
    );
    const last = items.at(-1);
    return { items, ...(all.length > 2 && last ? { nextCursor: last.libraryId } : {}) };
  }
}

// ─── Setup ───────────────────────────────────────────────────────────────────────────────

const province: Principal = { subject: 'province-1', role: 'province' };
const admin: Principal = { subject: 'admin-1', role: 'admin' };
const librarian: Principal = { subject: 'librarian-140429', role: 'library', libraryId: WUXIANG };

/** 02:00 Beijing time on 16 February 2026: period 2025 is past due, not yet locked. */
const NIGHT = '2026-02-15T18:00:00.000Z';
const LATEST_KEY = `rollups/${FORM_ID}/${PERIOD}/latest.json`;
/** The province fixture's reports, counted: what every complete run's manifest says. */
const FIXTURE_COUNTS = {
  libraries: 6,
  counted: 3,
  accepted: 1,
  submitted: 2,
  returned: 1,
  draft: 1,
  missing: 1,
};

const revisionOf = (head: SubmissionHead): SubmissionRevision => ({
  libraryId: head.libraryId,
  formId: head.formId,
  period: head.period,
  revision: head.revision,
  action:
    head.status === 'draft'
      ? 'save'
      : head.status === 'submitted'
        ? 'submit'
        : head.status === 'returned'
          ? 'return'
          : 'accept',
  status: head.status,
  formVersion: head.formVersion,
  values: head.values,
  explanations: head.explanations,
  ...(head.review ? { review: head.review } : {}),
  actor: head.updatedBy,
  at: head.updatedAt,
});

interface SetupOptions {
  pageLimit?: number;
  /** Wraps the submission store the service reads (after the heads are written). */
  store?: (inner: SubmissionStore) => SubmissionStore;
  heads?: SubmissionHead[];
  now?: string;
  /** The worker's timeout the service is given (none: it assumes Lambda's longest). */
  workerTimeoutMs?: number;
  /** The form's versions (default: the real form's only one). */
  forms?: FormDefinition[];
}

const setup = async (options: SetupOptions = {}) => {
  let current = new Date(options.now ?? NIGHT);
  const now = () => current;
  const forms = new FormRegistry({
    forms: options.forms ?? [countyAnnualReport()],
    standards: realStandards(),
    periods: realPeriods(),
  });
  const submissions = new InMemorySubmissionStore();
  for (const head of options.heads ?? [...fixtureHeads(), ...previousHeads()]) {
    await submissions.commit(head, revisionOf(head), 0);
  }
  const periodStore = new InMemoryPeriodStore();
  const libraries = new InMemoryLibraryStore(fixtureLibraries());
  const periods = new PeriodService({ store: periodStore, forms, libraries, now });
  const runs = new MemoryRunStore();
  const reports = new MemoryReports();
  const launcher = new RecordingLauncher();
  const log = new RecordingLog();
  const service = new RollupService({
    runs,
    reports,
    launcher,
    log,
    submissions: options.store
      ? options.store(submissions)
      : options.pageLimit
        ? smallPages(submissions, options.pageLimit)
        : submissions,
    libraries,
    periods,
    forms,
    now,
    ...(options.workerTimeoutMs ? { workerTimeoutMs: options.workerTimeoutMs } : {}),
  });

  /** Starts a run as the province and executes the request the launcher got. */
  const runOnce = async () => {
    const queued = await service.start(province, FORM_ID, PERIOD);
    const request = launcher.requests.at(-1);
    if (!request) throw new Error('Nothing was launched');
    return { queued, finished: await service.execute(request) };
  };

  /** Moves a report one step: new values or status, the next revision. */
  const update = async (libraryId: string, changes: Partial<SubmissionHead>) => {
    const head = await submissions.getHead({ libraryId, formId: FORM_ID, period: PERIOD });
    if (!head) throw new Error(`No report of ${libraryId}`);
    const next: SubmissionHead = { ...head, ...changes, revision: head.revision + 1 };
    await submissions.commit(next, revisionOf(next), head.revision);
  };

  const manifestOf = (run: RollupRun) =>
    RollupManifest.parse(JSON.parse(reports.body(`${run.prefix}/manifest.json`).toString('utf8')));

  const latestPointer = () =>
    LatestPointer.parse(JSON.parse(reports.body(LATEST_KEY).toString('utf8')));

  return {
    service,
    runs,
    reports,
    launcher,
    log,
    submissions,
    periodStore,
    runOnce,
    update,
    manifestOf,
    latestPointer,
    advance: (minutes: number) => {
      current = new Date(current.getTime() + minutes * 60_000);
    },
    setTime: (iso: string) => {
      current = new Date(iso);
    },
  };
};

/** The AppError a call failed with; fails the test when it succeeds or fails otherwise. */
const failure = async (call: Promise<unknown>): Promise<AppError> => {
  const outcome = await call.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (outcome instanceof AppError) return outcome;
  throw new Error(
    `Expected an AppError, got ${outcome === undefined ? 'success' : String(outcome)}`,
  );
};

const golden = (name: string): Buffer =>
  readFileSync(new URL(`./__fixtures__/golden/${name}`, import.meta.url));

// ─── start ───────────────────────────────────────────────────────────────────────────────

describe('RollupService.start', () => {
  it('records a queued run and launches it without waiting', async () => {
    const { service, runs, launcher, reports } = await setup();
    const run = await service.start(province, FORM_ID, PERIOD);
    expect(run).toEqual({
      formId: FORM_ID,
      period: PERIOD,
      runId: expect.stringMatching(/^20260215T180000000Z-[0-9a-f]{8}$/),
      status: 'queued',
      trigger: 'manual',
      requestedBy: { subject: 'province-1', role: 'province' },
      createdAt: NIGHT,
      prefix: `rollups/${FORM_ID}/${PERIOD}/runs/${run.runId}`,
    });
    expect(await runs.get(FORM_ID, PERIOD, run.runId)).toEqual(run);
    expect(launcher.requests).toEqual([{ formId: FORM_ID, period: PERIOD, runId: run.runId }]);
    expect(reports.puts).toEqual([]);
  });

  it('lets an administrator start one too', async () => {
    const { service, launcher } = await setup();
    const run = await service.start(admin, FORM_ID, PERIOD);
    expect(run.requestedBy).toEqual({ subject: 'admin-1', role: 'admin' });
    expect(launcher.requests).toHaveLength(1);
  });

  it('gives two runs started at the same moment different ids and prefixes', async () => {
    const { service, runOnce } = await setup();
    const { queued: first } = await runOnce();
    const second = await service.start(province, FORM_ID, PERIOD);
    expect(second.runId).not.toBe(first.runId);
    expect(second.prefix).not.toBe(first.prefix);
  });

  it('returns the queued run to a second start (a double click) and launches nothing more', async () => {
    const { service, runs, launcher, advance } = await setup();
    const first = await service.start(province, FORM_ID, PERIOD);
    advance(0.05);
    expect(await service.start(admin, FORM_ID, PERIOD)).toEqual(first);
    expect(runs.runs.size).toBe(1);
    expect(launcher.requests).toHaveLength(1);
  });

  it('returns the running run until it is abandoned, then queues a new one', async () => {
    const { service, runs, launcher, advance } = await setup({ workerTimeoutMs: 300_000 });
    const first = await service.start(province, FORM_ID, PERIOD);
    const running: RollupRun = { ...first, status: 'running', startedAt: NIGHT, attempt: 1 };
    await runs.put(running);
    advance((300_000 + ABANDON_MARGIN_MS) / 60_000); // not yet more than timeout and margin
    expect(await service.start(province, FORM_ID, PERIOD)).toEqual(running);
    expect(launcher.requests).toHaveLength(1);
    advance(0.1);
    const next = await service.start(province, FORM_ID, PERIOD);
    expect(next).toMatchObject({ status: 'queued' });
    expect(next.runId).not.toBe(first.runId);
    expect(launcher.requests.map((request) => request.runId)).toEqual([first.runId, next.runId]);
  });

  it('queues a new run over a queued one no worker took within the timeout and margin', async () => {
    const { service, launcher, advance } = await setup({ workerTimeoutMs: 300_000 });
    const lost = await service.start(province, FORM_ID, PERIOD);
    advance((300_000 + ABANDON_MARGIN_MS) / 60_000 + 0.1);
    const next = await service.start(province, FORM_ID, PERIOD);
    expect(next.runId).not.toBe(lost.runId);
    expect(launcher.requests).toHaveLength(2);
  });

  it('queues a new run once the last one failed', async () => {
    const { service, launcher, reports, advance } = await setup();
    const failed = await service.start(province, FORM_ID, PERIOD);
    reports.failNthPutUnder(`${failed.prefix}/`, 1, new Error('down'));
    await expect(service.execute({ ...failed })).rejects.toThrow('down');
    advance(1);
    expect((await service.start(province, FORM_ID, PERIOD)).runId).not.toBe(failed.runId);
    expect(launcher.requests).toHaveLength(2);
  });

  it('launches one run when two starts both find none: the older yields to the newer', async () => {
    const { service, runs, launcher } = await setup();
    // Both read the latest run before either writes its own.
    const [first, second] = await Promise.all([
      service.start(province, FORM_ID, PERIOD),
      service.start(admin, FORM_ID, PERIOD),
    ]);
    expect(first.runId).toBe(second.runId);
    expect(launcher.requests).toEqual([{ formId: FORM_ID, period: PERIOD, runId: first.runId }]);
    const records = [...runs.runs.values()];
    expect(records.map((run) => run.status).sort()).toEqual(['failed', 'queued']);
    const withdrawn = records.find((run) => run.runId !== first.runId);
    expect(withdrawn?.error).toMatch(/^superseded · /);
    expect((await service.status(province, FORM_ID, PERIOD)).latestRun).toEqual(first);
  });

  it('marks the run failed when it cannot be launched, so none stays queued for ever', async () => {
    const { service, runs, launcher } = await setup();
    const throttled = new Error('Rate exceeded');
    launcher.failWith = throttled;
    await expect(service.start(province, FORM_ID, PERIOD)).rejects.toBe(throttled);
    const [run] = [...runs.runs.values()];
    expect(runs.runs.size).toBe(1);
    expect(run).toMatchObject({ status: 'failed', trigger: 'manual', finishedAt: NIGHT });
    expect(run?.error).toEqual(expect.any(String));
    expect(await service.status(province, FORM_ID, PERIOD)).toEqual({ latestRun: run });
  });

  it('refuses a library (403) and records nothing', async () => {
    const { service, runs, launcher } = await setup();
    const error = await failure(service.start(librarian, FORM_ID, PERIOD));
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error.statusCode).toBe(403);
    expect(runs.runs.size).toBe(0);
    expect(launcher.requests).toEqual([]);
  });

  it('answers 404 for an unknown form and 400 for a malformed period', async () => {
    const { service, runs, launcher } = await setup();
    const unknown = await failure(service.start(province, 'no-such-form', PERIOD));
    expect(unknown).toBeInstanceOf(NotFoundError);
    expect(unknown.statusCode).toBe(404);
    const malformed = await failure(service.start(province, FORM_ID, '2025-H1'));
    expect(malformed).toBeInstanceOf(BadRequestError);
    expect(runs.runs.size).toBe(0);
    expect(launcher.requests).toEqual([]);
  });
});

// ─── execute ─────────────────────────────────────────────────────────────────────────────

describe('RollupService.execute', () => {
  it('writes every file under the run prefix, then the manifest, then latest.json last', async () => {
    const { reports, runOnce } = await setup();
    const { queued, finished } = await runOnce();
    expect(reports.puts).toEqual([
      ...FILE_NAMES.map((name) => `${queued.prefix}/${name}`),
      `${queued.prefix}/manifest.json`,
      LATEST_KEY,
    ]);
    for (const name of FILE_NAMES) {
      expect(reports.objects.get(`${queued.prefix}/${name}`)?.contentType).toBe(
        'text/csv; charset=utf-8',
      );
    }
    expect(reports.objects.get(`${queued.prefix}/manifest.json`)?.contentType).toBe(
      'application/json',
    );
    expect(finished.status).toBe('succeeded');
  });

  it('writes the golden files for the fixture province', async () => {
    const { reports, runOnce } = await setup();
    const { queued } = await runOnce();
    for (const name of FILE_NAMES) {
      expect({ name, same: reports.body(`${queued.prefix}/${name}`).equals(golden(name)) }).toEqual(
        { name, same: true },
      );
    }
  });

  it('follows the cursors when the heads come in several pages', async () => {
    const { reports, runOnce } = await setup({ pageLimit: 2 });
    const { queued, finished } = await runOnce();
    expect(finished.counts?.counted).toBe(3);
    expect(reports.body(`${queued.prefix}/comparison.csv`).equals(golden('comparison.csv'))).toBe(
      true,
    );
  });

  it('reads of the previous period only the values it compares year over year', async () => {
    let store: ListingStore | undefined;
    const { reports, runOnce } = await setup({
      store: (inner) => {
        store = new ListingStore(inner);
        return store;
      },
    });
    const { queued } = await runOnce();
    const listings = store?.listings ?? [];
    const previous = listings.filter((listing) => listing.period === '2024');
    expect(previous.length).toBeGreaterThan(1);
    for (const listing of previous) {
      expect(listing).toMatchObject({
        valueKeys: ['holdingsTotal', 'fundingTotal', 'bookFunds', 'staffTotal'],
      });
    }
    // The period itself is read whole: every field goes into submissions.csv.
    const current = listings.filter((listing) => listing.period === PERIOD);
    expect(current.length).toBeGreaterThan(1);
    expect(current.every((listing) => listing.valueKeys === undefined)).toBe(true);
    for (const name of FILE_NAMES) {
      expect({ name, same: reports.body(`${queued.prefix}/${name}`).equals(golden(name)) }).toEqual(
        { name, same: true },
      );
    }
  });

  it("reads the period in two parts at once, split at the registry's middle library", async () => {
    let store: ListingStore | undefined;
    const { reports, runOnce, manifestOf } = await setup({
      store: (inner) => {
        store = new ListingStore(inner);
        return store;
      },
    });
    const { queued } = await runOnce();
    // Registry: 140121, 140122, 140123 | 140429, 140430, 140431.
    const current = (store?.listings ?? []).filter((listing) => listing.period === PERIOD);
    expect(current.filter((listing) => listing.cursor === undefined)).toEqual([
      { period: PERIOD, before: WUXIANG },
      { period: PERIOD, from: WUXIANG },
    ]);
    expect(current.filter((listing) => listing.before === WUXIANG).length).toBeGreaterThan(1);
    for (const name of FILE_NAMES) {
      expect({ name, same: reports.body(`${queued.prefix}/${name}`).equals(golden(name)) }).toEqual(
        { name, same: true },
      );
    }
    expect(manifestOf(queued).counts).toMatchObject({ counted: 3, draft: 1, returned: 1 });
    expect(Object.keys(manifestOf(queued).libraryDigests)).toEqual([QINGXU, LOUFAN, WUXIANG]);
  });

  it('takes from each part only the libraries it asked for, whatever the store returns', async () => {
    // The in-memory store ignores the parts: both hand out every head.
    const { reports, runOnce, manifestOf } = await setup({ pageLimit: 2 });
    const { queued } = await runOnce();
    expect(manifestOf(queued).counts).toMatchObject(FIXTURE_COUNTS);
    expect(reports.body(`${queued.prefix}/submissions.csv`).equals(golden('submissions.csv'))).toBe(
      true,
    );
  });

  it('fails the run and keeps latest when reading a later page of heads fails', async () => {
    let store: ListingStore | undefined;
    const { service, runs, reports, launcher, runOnce, latestPointer, advance } = await setup({
      store: (inner) => {
        store = new ListingStore(inner);
        return store;
      },
    });
    const first = await runOnce();
    const latestBefore = reports.body(LATEST_KEY);
    advance(60);
    const outage = awsError('ProvisionedThroughputExceededException', 400);
    if (!store) throw new Error('No store');
    store.listings.length = 0;
    store.failure = { period: PERIOD, nth: 2, error: outage };
    const queued = await service.start(province, FORM_ID, PERIOD);
    const request = launcher.requests.at(-1);
    if (!request) throw new Error('Nothing was launched');
    await expect(service.execute(request)).rejects.toBe(outage);
    expect(await runs.get(FORM_ID, PERIOD, queued.runId)).toMatchObject({
      status: 'failed',
      error: `storage-unavailable (ProvisionedThroughputExceededException) · 存储服务暂时不可用或限流 / storage was unavailable or throttled · run ${queued.runId}, attempt 1`,
    });
    expect(reports.puts.filter((key) => key.startsWith(`${queued.prefix}/`))).toEqual([]);
    expect(reports.body(LATEST_KEY).equals(latestBefore)).toBe(true);
    expect(latestPointer().runId).toBe(first.queued.runId);
  });

  it('writes the files one at a time, in order, each as soon as the one before is written', async () => {
    const { reports, runOnce } = await setup();
    // Slow writes: the next file is rendered meanwhile, but never written alongside.
    let writing = 0;
    let most = 0;
    const put = reports.put.bind(reports);
    reports.put = async (key, body, contentType) => {
      writing += 1;
      most = Math.max(most, writing);
      await new Promise((resolve) => setTimeout(resolve, 5));
      await put(key, body, contentType);
      writing -= 1;
    };
    const { queued } = await runOnce();
    expect(most).toBe(1);
    expect(reports.puts).toEqual([
      ...FILE_NAMES.map((name) => `${queued.prefix}/${name}`),
      `${queued.prefix}/manifest.json`,
      LATEST_KEY,
    ]);
  });

  it('writes a manifest whose checksums, sizes and row counts match the stored files', async () => {
    const { reports, runOnce, manifestOf } = await setup();
    const { queued, finished } = await runOnce();
    const manifest = manifestOf(queued);
    expect(manifest).toMatchObject({
      runId: queued.runId,
      formId: FORM_ID,
      period: PERIOD,
      formVersion: '2026.1',
      asOf: NIGHT,
      dueAt: DUE_AT,
      counts: FIXTURE_COUNTS,
    });
    expect(manifest.files.map((file) => file.name)).toEqual(FILE_NAMES);
    for (const file of manifest.files) {
      const body = reports.body(`${queued.prefix}/${file.name}`);
      expect(file.sha256).toBe(sha256Of(body));
      expect(file.bytes).toBe(body.byteLength);
      expect(file.rows).toBe(parse(body, { bom: true }).length - 1);
    }
    expect(Object.keys(manifest.libraryDigests)).toEqual([QINGXU, LOUFAN, WUXIANG]);
    expect(finished).toEqual({
      ...queued,
      status: 'succeeded',
      attempt: 1,
      startedAt: NIGHT,
      finishedAt: NIGHT,
      files: manifest.files,
      counts: manifest.counts,
    });
  });

  it('points latest.json at the run once everything is written', async () => {
    const { runOnce, latestPointer } = await setup();
    const { queued } = await runOnce();
    expect(latestPointer()).toEqual({ runId: queued.runId, prefix: queued.prefix, asOf: NIGHT });
  });

  it('lists every counted report as newly submitted on the first run', async () => {
    const { runOnce, manifestOf } = await setup();
    const { queued } = await runOnce();
    expect(manifestOf(queued).changes).toEqual({
      changed: [],
      newlySubmitted: [QINGXU, LOUFAN, WUXIANG],
      withdrawn: [],
    });
  });

  it('lists the changed and the newly submitted reports since the previous run', async () => {
    const { runOnce, manifestOf, update, advance } = await setup();
    const first = await runOnce();
    advance(60);
    // 清徐 corrected a value; 娄烦 was accepted unchanged; the draft and the returned report
    // were submitted; 武乡 did not change.
    await update(QINGXU, { values: { ...qingxuReport2025(), holdingsTotal: 251000 } });
    await update(LOUFAN, { status: 'accepted', acceptedAt: '2026-02-15T19:00:00.000Z' });
    await update(YANGQU, { status: 'submitted', submittedAt: '2026-02-15T19:00:00.000Z' });
    await update(QINXIAN, { status: 'submitted', submittedAt: '2026-02-15T19:00:00.000Z' });
    const second = await runOnce();
    expect(manifestOf(second.queued).changes).toEqual({
      previousRunId: first.queued.runId,
      changed: [QINGXU, LOUFAN],
      newlySubmitted: [YANGQU, QINXIAN],
      withdrawn: [],
    });
    expect(manifestOf(second.queued).counts).toMatchObject({ counted: 5, draft: 0, returned: 0 });
  });

  it('lists nothing as changed when nothing changed', async () => {
    const { runOnce, manifestOf, advance } = await setup();
    const first = await runOnce();
    advance(60);
    const second = await runOnce();
    expect(manifestOf(second.queued).changes).toEqual({
      previousRunId: first.queued.runId,
      changed: [],
      newlySubmitted: [],
      withdrawn: [],
    });
  });

  it('compares reports of an older version under the names the active version gave their fields', async () => {
    // 2026.2 renames holdingsTotal (compared, and year over year) to collectionTotal.
    const renamed = FormDefinition.parse({
      ...JSON.parse(
        JSON.stringify(countyAnnualReport()).replace(/\bholdingsTotal\b/g, 'collectionTotal'),
      ),
      version: '2026.2',
      migrations: [
        { field: 'holdingsTotal', change: 'rename', to: 'collectionTotal', note: '更名' },
      ],
    });
    const comparisonOf = async (forms: FormDefinition[]) => {
      const { runOnce, reports } = await setup({ forms });
      const { queued } = await runOnce();
      return reports.body(`${queued.prefix}/comparison.codes.csv`).toString('utf8');
    };
    const before = await comparisonOf([countyAnnualReport()]);
    expect(before).toMatch(/\bholdingsTotal\b/);
    // Every report and the previous period are on 2026.1: the same figures, under the new name.
    expect(await comparisonOf([countyAnnualReport(), renamed])).toBe(
      before.replaceAll('holdingsTotal', 'collectionTotal'),
    );
  });

  it("judges a previous report's hidden fields by its own version, not the active one", async () => {
    // 2026.2 shows holdingsTotal only with a note no 2026.1 report has: read by 2026.2's
    // conditions, every previous holdingsTotal would be hidden and its change left empty.
    const v2 = holdingsShownWithNote();
    const comparisonOf = async (forms: FormDefinition[]) => {
      const { runOnce, reports } = await setup({ forms });
      const { queued } = await runOnce();
      return reports.body(`${queued.prefix}/comparison.codes.csv`).toString('utf8');
    };
    const before = await comparisonOf([countyAnnualReport()]);
    expect(before).toMatch(/holdingsTotalChangePct/);
    expect(await comparisonOf([countyAnnualReport(), v2])).toBe(before);
  });

  it('ignores reports of libraries outside the registry', async () => {
    const outsider = headOf({
      libraryId: '140199',
      status: 'submitted',
      values: qingxuReport2025(),
      submittedAt: '2026-01-10T00:00:00.000Z',
    });
    const { reports, runOnce, manifestOf } = await setup({
      heads: [...fixtureHeads(), ...previousHeads(), outsider],
    });
    const { queued } = await runOnce();
    expect(manifestOf(queued).counts).toMatchObject({ libraries: 6, counted: 3, missing: 1 });
    expect(reports.body(`${queued.prefix}/comparison.csv`).equals(golden('comparison.csv'))).toBe(
      true,
    );
  });

  it('records a storage failure on the run, leaves latest.json alone and rethrows', async () => {
    const { service, runs, reports, launcher, log, runOnce, latestPointer, advance } =
      await setup();
    const first = await runOnce();
    const latestBefore = reports.body(LATEST_KEY);
    advance(60);

    const queued = await service.start(province, FORM_ID, PERIOD);
    const outage = awsError('AccessDenied', 403);
    reports.failNthPutUnder(`${queued.prefix}/`, 3, outage);
    const request = launcher.requests.at(-1);
    if (!request) throw new Error('Nothing was launched');
    await expect(service.execute(request)).rejects.toBe(outage);

    expect(await runs.get(FORM_ID, PERIOD, queued.runId)).toEqual({
      ...queued,
      status: 'failed',
      attempt: 1,
      startedAt: expect.any(String),
      finishedAt: expect.any(String),
      error: `access-denied (AccessDenied) · 没有访问存储的权限 / access to storage was denied · run ${queued.runId}, attempt 1`,
    });
    // The error itself, with the role and the bucket it names, is only in the log.
    expect(log.entries).toEqual([
      {
        message: 'Rollup attempt failed',
        details: expect.objectContaining({ runId: queued.runId, attempt: 1, error: outage }),
      },
    ]);
    expect(JSON.stringify(await service.status(province, FORM_ID, PERIOD))).not.toMatch(
      /123456789012|RunRollupRole|reportsbucket/,
    );
    // Two files made it; the third failed; nothing after it was attempted.
    expect(reports.puts.filter((key) => key.startsWith(`${queued.prefix}/`))).toEqual([
      `${queued.prefix}/${FILE_NAMES[0]}`,
      `${queued.prefix}/${FILE_NAMES[1]}`,
    ]);
    expect(reports.objects.has(`${queued.prefix}/manifest.json`)).toBe(false);
    expect(reports.body(LATEST_KEY).equals(latestBefore)).toBe(true);
    expect(latestPointer().runId).toBe(first.queued.runId);

    // The office sees the failed run and still downloads the previous one.
    const status = await service.status(province, FORM_ID, PERIOD);
    expect(status.latestRun).toMatchObject({ runId: queued.runId, status: 'failed' });
    expect(status.published?.runId).toBe(first.queued.runId);
  });

  it('compares the run after a failed one with the last published run', async () => {
    const { service, reports, launcher, runOnce, manifestOf, update, advance } = await setup();
    const first = await runOnce();
    advance(60);
    await update(QINGXU, { values: { ...qingxuReport2025(), visits: 310000 } });
    const failed = await service.start(province, FORM_ID, PERIOD);
    reports.failNthPutUnder(`${failed.prefix}/`, 1, new Error('throttled'));
    const request = launcher.requests.at(-1);
    if (!request) throw new Error('Nothing was launched');
    await expect(service.execute(request)).rejects.toThrow('throttled');
    advance(60);
    const third = await runOnce();
    expect(manifestOf(third.queued).changes).toEqual({
      previousRunId: first.queued.runId,
      changed: [QINGXU],
      newlySubmitted: [],
      withdrawn: [],
    });
  });

  it('returns a run that succeeded unchanged, without running it again', async () => {
    const { service, runs, reports, runOnce } = await setup();
    const { queued, finished } = await runOnce();
    const puts = reports.puts.length;
    const runPuts = runs.puts;
    expect(await service.execute({ formId: FORM_ID, period: PERIOD, runId: queued.runId })).toEqual(
      finished,
    );
    expect(reports.puts).toHaveLength(puts);
    expect(runs.puts).toBe(runPuts);
  });

  it('rejects a request for a run that was never recorded', async () => {
    const { service } = await setup();
    const outcome = service.execute({ formId: FORM_ID, period: PERIOD, runId: 'no-such-run' });
    await expect(outcome).rejects.toBeInstanceOf(RollupRunNotFoundError);
    await expect(outcome).rejects.toThrow('No rollup run no-such-run');
  });

  it('lists a report that stopped counting as withdrawn', async () => {
    const { runOnce, manifestOf, update, advance } = await setup();
    await runOnce();
    advance(60);
    await update(QINGXU, { status: 'returned' });
    const second = await runOnce();
    expect(manifestOf(second.queued).changes.withdrawn).toEqual([QINGXU]);
  });
});

// ─── retries of a run ───────────────────────────────────────────────────────────────────

describe('RollupService.execute on a retry of its event', () => {
  /** The functions/routes.ts timeout of run-rollup. */
  const TIMEOUT_MS = 300_000;
  const LIMIT_MINUTES = (TIMEOUT_MS + ABANDON_MARGIN_MS) / 60_000;

  /** Starts a run and hands back the request the worker gets (and each retry of it). */
  const started = async (context: Awaited<ReturnType<typeof setup>>) => {
    const queued = await context.service.start(province, FORM_ID, PERIOD);
    const request = context.launcher.requests.at(-1);
    if (!request) throw new Error('Nothing was launched');
    return { queued, request };
  };

  it('runs a failed run again as its next attempt, keeping the error of the one before', async () => {
    const context = await setup({ workerTimeoutMs: TIMEOUT_MS });
    const { service, runs, reports, latestPointer, advance } = context;
    const { queued, request } = await started(context);
    reports.failNthPutUnder(`${queued.prefix}/`, 3, awsError('SlowDown', 503, 'S3 is down'));
    await expect(service.execute(request)).rejects.toThrow('S3 is down');
    const slowDown = `storage-unavailable (SlowDown) · 存储服务暂时不可用或限流 / storage was unavailable or throttled · run ${queued.runId}, attempt 1`;
    expect(await runs.get(FORM_ID, PERIOD, queued.runId)).toMatchObject({
      status: 'failed',
      attempt: 1,
      error: slowDown,
    });

    advance(1); // Lambda's first retry, a minute later
    const retried = await service.execute(request);
    expect(retried).toEqual({
      ...queued,
      status: 'succeeded',
      attempt: 2,
      earlierErrors: [slowDown],
      startedAt: '2026-02-15T18:01:00.000Z',
      finishedAt: '2026-02-15T18:01:00.000Z',
      files: expect.any(Array),
      counts: FIXTURE_COUNTS,
    });
    expect(await runs.get(FORM_ID, PERIOD, queued.runId)).toEqual(retried);
    expect(latestPointer().runId).toBe(queued.runId);
    // Every file of the run is in place, the two written by the failed attempt included.
    for (const name of [...FILE_NAMES, 'manifest.json']) {
      expect(reports.objects.has(`${queued.prefix}/${name}`)).toBe(true);
    }
  });

  it('fails every attempt while the failure lasts, the last one too (for the dead-letter queue)', async () => {
    const context = await setup({ workerTimeoutMs: TIMEOUT_MS });
    const { service, runs, reports, advance } = context;
    const { queued, request } = await started(context);
    const put = reports.put.bind(reports);
    let outages = 0;
    reports.put = async (key, body, contentType) => {
      if (key.startsWith(`${queued.prefix}/`)) {
        throw awsError('InternalError', 500, `S3 is down (${++outages})`);
      }
      return put(key, body, contentType);
    };
    for (const minutes of [0, 1, 2]) {
      advance(minutes);
      await expect(service.execute(request)).rejects.toThrow('S3 is down');
    }
    const internal = (attempt: number) =>
      `storage-unavailable (InternalError) · 存储服务暂时不可用或限流 / storage was unavailable or throttled · run ${queued.runId}, attempt ${attempt}`;
    expect(await runs.get(FORM_ID, PERIOD, queued.runId)).toMatchObject({
      status: 'failed',
      attempt: 3,
      error: internal(3),
      earlierErrors: [internal(1), internal(2)],
    });
    expect(reports.objects.has(LATEST_KEY)).toBe(false);
  });

  it("takes over a run still running past the worker's timeout and margin", async () => {
    const context = await setup({ workerTimeoutMs: TIMEOUT_MS });
    const { service, runs, latestPointer, advance } = context;
    const { queued, request } = await started(context);
    // The first attempt took the run, then its invocation timed out.
    await runs.put({ ...queued, status: 'running', startedAt: NIGHT, attempt: 1 });
    advance(LIMIT_MINUTES + 0.5); // Lambda's first retry comes a minute after the timeout
    const retried = await service.execute(request);
    expect(retried).toMatchObject({
      status: 'succeeded',
      attempt: 2,
      earlierErrors: ['Attempt 1 did not finish: its worker timed out or stopped.'],
    });
    expect(retried.error).toBeUndefined();
    expect(latestPointer().runId).toBe(queued.runId);
  });

  it('fails, and writes nothing, while a run may still be running elsewhere', async () => {
    const context = await setup({ workerTimeoutMs: TIMEOUT_MS });
    const { service, runs, reports, advance } = context;
    const { queued, request } = await started(context);
    const running: RollupRun = { ...queued, status: 'running', startedAt: NIGHT, attempt: 1 };
    await runs.put(running);
    const writes = runs.puts;
    advance(LIMIT_MINUTES); // not yet more than the timeout and the margin
    const outcome = service.execute(request);
    await expect(outcome).rejects.toBeInstanceOf(RollupRunInProgressError);
    await expect(outcome).rejects.toMatchObject({ run: running });
    expect(await runs.get(FORM_ID, PERIOD, queued.runId)).toEqual(running);
    expect(runs.puts).toBe(writes);
    expect(reports.puts).toEqual([]);
  });

  it("without the worker's timeout, waits for Lambda's longest (15 minutes) and the margin", async () => {
    const context = await setup();
    const { service, runs, advance } = context;
    const { queued, request } = await started(context);
    await runs.put({ ...queued, status: 'running', startedAt: NIGHT });
    advance(15 + ABANDON_MARGIN_MS / 60_000);
    await expect(service.execute(request)).rejects.toBeInstanceOf(RollupRunInProgressError);
    advance(0.1);
    // A record of before attempts were counted: its one attempt is taken as the first.
    expect(await service.execute(request)).toMatchObject({
      status: 'succeeded',
      attempt: 1,
      earlierErrors: ['Attempt 1 did not finish: its worker timed out or stopped.'],
    });
  });

  it('lets only one of two workers run it when both take it at once', async () => {
    const context = await setup({ workerTimeoutMs: TIMEOUT_MS });
    const { service, runs, reports } = context;
    const { queued, request } = await started(context);
    // Both read `queued` before either writes: the second write is refused.
    const [first, second] = await Promise.all([service.execute(request), service.execute(request)]);
    expect(runs.refused).toBe(1);
    expect([first.status, second.status].sort()).toEqual(['running', 'succeeded']);
    expect(await runs.get(FORM_ID, PERIOD, queued.runId)).toMatchObject({
      status: 'succeeded',
      attempt: 1,
    });
    // The files were written once, by one worker.
    expect(reports.puts).toEqual([
      ...FILE_NAMES.map((name) => `${queued.prefix}/${name}`),
      `${queued.prefix}/manifest.json`,
      LATEST_KEY,
    ]);
  });

  it('keeps the record of the attempt that took over when a stale one ends after it', async () => {
    const context = await setup({ workerTimeoutMs: TIMEOUT_MS });
    const { service, runs, reports, advance } = context;
    const { queued, request } = await started(context);
    // The first attempt hangs on its first file…
    const { reached, release } = reports.holdPutsUnder(`${queued.prefix}/`, 1);
    const stale = service.execute(request);
    await reached;
    expect(await runs.get(FORM_ID, PERIOD, queued.runId)).toMatchObject({
      status: 'running',
      attempt: 1,
    });
    // …long enough for a retry to find it abandoned and run it whole.
    advance(LIMIT_MINUTES + 1);
    const retried = await service.execute(request);
    expect(retried).toMatchObject({ status: 'succeeded', attempt: 2 });
    release();
    // The first attempt's own end is refused: it hands back the record as the retry left it.
    expect(await stale).toEqual(retried);
    expect(await runs.get(FORM_ID, PERIOD, queued.runId)).toEqual(retried);
  });

  it('leaves a failed run as it is when its retry comes after a newer run started', async () => {
    const context = await setup({ workerTimeoutMs: TIMEOUT_MS });
    const { service, runs, reports, advance, latestPointer, runOnce } = context;
    const older = await started(context);
    reports.failNthPutUnder(`${older.queued.prefix}/`, 1, new Error('S3 is down'));
    await expect(service.execute(older.request)).rejects.toThrow('S3 is down');
    const failed = await runs.get(FORM_ID, PERIOD, older.queued.runId);
    advance(1);
    const newer = await runOnce();
    const writes = { runs: runs.puts, reports: reports.puts.length };

    advance(1); // Lambda's retry of the older run's event: it ends without running again
    expect(await service.execute(older.request)).toEqual(failed);
    expect(await runs.get(FORM_ID, PERIOD, older.queued.runId)).toEqual(failed);
    expect({ runs: runs.puts, reports: reports.puts.length }).toEqual(writes);
    expect(latestPointer().runId).toBe(newer.queued.runId);
  });

  it('runs a failed run again when the newer run started meanwhile failed too', async () => {
    const context = await setup({ workerTimeoutMs: TIMEOUT_MS });
    const { service, reports, advance, latestPointer } = context;
    const older = await started(context);
    reports.failNthPutUnder(`${older.queued.prefix}/`, 1, new Error('S3 is down'));
    await expect(service.execute(older.request)).rejects.toThrow('S3 is down');
    advance(1);
    const newer = await started(context);
    reports.failNthPutUnder(`${newer.queued.prefix}/`, 1, new Error('S3 is down'));
    await expect(service.execute(newer.request)).rejects.toThrow('S3 is down');

    advance(1); // the older run's retry: the newer one stands for nothing, so it runs
    expect(await service.execute(older.request)).toMatchObject({
      status: 'succeeded',
      attempt: 2,
    });
    expect(latestPointer().runId).toBe(older.queued.runId);
  });

  it('records a queued run as superseded when its event arrives after a newer run started', async () => {
    const context = await setup({ workerTimeoutMs: TIMEOUT_MS });
    const { service, runs, reports, advance } = context;
    const older = await started(context);
    advance(LIMIT_MINUTES + 1); // its event never came in time: a new start queues another
    const newer = await started(context);
    expect(newer.queued.runId).not.toBe(older.queued.runId);

    const late = await service.execute(older.request);
    expect(late).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/^superseded · /),
    });
    expect(await runs.get(FORM_ID, PERIOD, older.queued.runId)).toEqual(late);
    expect(reports.puts).toEqual([]);
    expect(await service.execute(newer.request)).toMatchObject({ status: 'succeeded' });
  });

  it('does not move latest back to an older run that ends after a newer one published', async () => {
    const context = await setup({ workerTimeoutMs: TIMEOUT_MS });
    const { service, runs, reports, advance, latestPointer, manifestOf, runOnce } = context;
    const older = await started(context);
    // The older run's worker hangs on its first file past its timeout…
    const { reached, release } = reports.holdPutsUnder(`${older.queued.prefix}/`);
    const stale = service.execute(older.request);
    await reached;
    // …so a start finds it abandoned, and the newer run publishes first.
    advance(LIMIT_MINUTES + 1);
    const newer = await runOnce();
    expect(latestPointer().runId).toBe(newer.queued.runId);
    const latestBefore = reports.body(LATEST_KEY);

    release();
    expect(await stale).toMatchObject({ status: 'succeeded', attempt: 1 });
    expect(manifestOf(older.queued).runId).toBe(older.queued.runId);
    expect(reports.body(LATEST_KEY).equals(latestBefore)).toBe(true);
    const status = await service.status(province, FORM_ID, PERIOD);
    expect(status.published?.runId).toBe(newer.queued.runId);
    expect(status.latestRun?.runId).toBe(newer.queued.runId);
    expect(await runs.get(FORM_ID, PERIOD, older.queued.runId)).toMatchObject({
      status: 'succeeded',
    });
  });

  it('moves latest past a pointer whose run it cannot find, as before', async () => {
    const context = await setup({ workerTimeoutMs: TIMEOUT_MS });
    const { reports, runOnce, latestPointer } = context;
    await reports.put(
      LATEST_KEY,
      Buffer.from(JSON.stringify({ runId: 'imported', prefix: 'rollups/x', asOf: NIGHT })),
      'application/json',
    );
    const { queued } = await runOnce();
    expect(latestPointer().runId).toBe(queued.runId);
  });

  it('leaves a run the worker took alone when launching it seemed to fail', async () => {
    const context = await setup({ workerTimeoutMs: TIMEOUT_MS });
    const { service, runs, launcher } = context;
    // The invocation got through, but its answer was lost: the worker ran the run meanwhile.
    const lost = new Error('Socket timeout');
    launcher.launch = async (request) => {
      await service.execute(request);
      throw lost;
    };
    await expect(service.start(province, FORM_ID, PERIOD)).rejects.toBe(lost);
    const [run] = [...runs.runs.values()];
    expect(run).toMatchObject({ status: 'succeeded', attempt: 1 });
  });
});

// ─── status and downloads ────────────────────────────────────────────────────────────────

describe('RollupService.status', () => {
  it('has neither a run nor files before the first run', async () => {
    const { service } = await setup();
    expect(await service.status(province, FORM_ID, PERIOD)).toEqual({});
  });

  it('shows the latest run and the published files with download links', async () => {
    const { service, runOnce, manifestOf } = await setup();
    const { queued, finished } = await runOnce();
    const manifest = manifestOf(queued);
    const status = await service.status(province, FORM_ID, PERIOD);
    expect(status.latestRun).toEqual(finished);
    expect(status.published).toEqual({
      runId: queued.runId,
      prefix: queued.prefix,
      asOf: NIGHT,
      files: manifest.files.map((file) => ({
        name: file.name,
        rows: file.rows,
        sha256: file.sha256,
        downloadUrl: `https://reports.test/${queued.prefix}/${file.name}?download=${FORM_ID}-${PERIOD}-${file.name}&expires=${DOWNLOAD_EXPIRY_SECONDS}`,
      })),
    });
    expect(DOWNLOAD_EXPIRY_SECONDS).toBe(300);
  });

  it('shows a newer queued run beside the files of the last complete one', async () => {
    const { service, runOnce, advance } = await setup();
    const first = await runOnce();
    advance(60);
    const queued = await service.start(province, FORM_ID, PERIOD);
    const status = await service.status(admin, FORM_ID, PERIOD);
    expect(status.latestRun).toEqual(queued);
    expect(status.published?.runId).toBe(first.queued.runId);
  });

  it('refuses a library (403)', async () => {
    const { service } = await setup();
    expect((await failure(service.status(librarian, FORM_ID, PERIOD))).statusCode).toBe(403);
  });

  it('shows no raw error text a record kept from before descriptions were made safe', async () => {
    const { service, runs } = await setup();
    const raw = `AccessDenied: User: ${ROLE_ARN} is not authorized to perform: s3:PutObject on ${BUCKET}`;
    const legacy: RollupRun = {
      formId: FORM_ID,
      period: PERIOD,
      runId: '20260215T170000000Z-0000abcd',
      status: 'failed',
      trigger: 'schedule',
      createdAt: '2026-02-15T17:00:00.000Z',
      prefix: `rollups/${FORM_ID}/${PERIOD}/runs/20260215T170000000Z-0000abcd`,
      attempt: 3,
      error: raw,
      earlierErrors: [
        'Error: S3 is down',
        'Attempt 1 did not finish: its worker timed out or stopped.',
      ],
    };
    await runs.put(legacy);
    const shown = (await service.status(province, FORM_ID, PERIOD)).latestRun;
    expect(shown?.error).toMatch(/^unknown · .*see the logs$/);
    expect(shown?.earlierErrors).toEqual([
      shown?.error,
      'Attempt 1 did not finish: its worker timed out or stopped.',
    ]);
    expect(JSON.stringify(shown)).not.toMatch(/123456789012|RunRollupRole|reportsbucket|S3/);
    // The record itself is left as it is.
    expect((await runs.get(FORM_ID, PERIOD, legacy.runId))?.error).toBe(raw);
  });

  it.each([
    ['access-denied', awsError('AccessDenied', 403)],
    ['missing-resource', awsError('NoSuchBucket', 404)],
    ['timeout', Object.assign(new Error('socket hang up'), { code: 'ETIMEDOUT' })],
    ['storage-unavailable', awsError('ThrottlingException', 400)],
    ['invalid-data', Object.assign(new Error('bad'), { name: 'SyntaxError' })],
    ['unknown', new Error(ROLE_ARN)],
  ])('shows a %s description as the worker recorded it', async (kind, error) => {
    const { service, runs } = await setup();
    const run: RollupRun = {
      formId: FORM_ID,
      period: PERIOD,
      runId: '20260215T170000000Z-0000abcd',
      status: 'failed',
      trigger: 'manual',
      createdAt: '2026-02-15T17:00:00.000Z',
      prefix: `rollups/${FORM_ID}/${PERIOD}/runs/20260215T170000000Z-0000abcd`,
      attempt: 1,
    };
    const description = describeFailure(error, run);
    expect(description.startsWith(`${kind} `)).toBe(true);
    expect(description).not.toMatch(/123456789012|RunRollupRole|reportsbucket|socket|bad/);
    await runs.put({ ...run, error: description });
    expect((await service.status(province, FORM_ID, PERIOD)).latestRun?.error).toBe(description);
  });
});

describe('classifyFailure', () => {
  it('reads the causes an adapter wrapped: the most telling kind, every known name', () => {
    const timeout = Object.assign(new Error(`${ROLE_ARN} timed out`), { name: 'TimeoutError' });
    const wrapped = Object.assign(new Error('Storage is temporarily unavailable; retry later.'), {
      name: 'DependencyUnavailableError',
      cause: timeout,
    });
    expect(classifyFailure(wrapped)).toEqual({
      kind: 'timeout',
      names: ['DependencyUnavailableError', 'TimeoutError'],
    });
  });

  it('classifies by HTTP status an error whose name it does not know, and leaves the name out', () => {
    expect(classifyFailure(awsError('KMS.DisabledException', 403))).toEqual({
      kind: 'access-denied',
      names: [],
    });
    expect(classifyFailure(awsError('SomeNewOutage', 502))).toEqual({
      kind: 'storage-unavailable',
      names: [],
    });
    // An answer that named no error is shown by its status; its kind comes from the status.
    expect(classifyFailure(awsError('Http403', 403))).toEqual({
      kind: 'access-denied',
      names: ['Http403'],
    });
    expect(classifyFailure(awsError('Http400', 400))).toEqual({
      kind: 'unknown',
      names: ['Http400'],
    });
  });

  it('names a network code, and nothing for what is not an error', () => {
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    expect(classifyFailure(reset)).toEqual({ kind: 'storage-unavailable', names: ['ECONNRESET'] });
    expect(classifyFailure('a string')).toEqual({ kind: 'unknown', names: [] });
    expect(classifyFailure(undefined)).toEqual({ kind: 'unknown', names: [] });
  });

  it('does not loop on an error that is its own cause', () => {
    const error: Error & { cause?: unknown } = new Error('x');
    error.cause = error;
    expect(classifyFailure(error)).toEqual({ kind: 'unknown', names: [] });
  });
});

describe('RollupService.fileUrl', () => {
  it('signs a five-minute link to a file of the published run', async () => {
    const { service, reports, runOnce } = await setup();
    const { queued } = await runOnce();
    expect(await service.fileUrl(province, FORM_ID, PERIOD, 'comparison.csv')).toBe(
      `https://reports.test/${queued.prefix}/comparison.csv?download=${FORM_ID}-${PERIOD}-comparison.csv&expires=300`,
    );
    expect(await service.fileUrl(province, FORM_ID, PERIOD, 'manifest.json')).toContain(
      `${queued.prefix}/manifest.json`,
    );
    expect(reports.presigned.at(-1)).toEqual({
      key: `${queued.prefix}/manifest.json`,
      fileName: `${FORM_ID}-${PERIOD}-manifest.json`,
      expiresInSeconds: 300,
    });
  });

  it.each(['latest.json', '../latest.json', 'comparison.xlsx', 'runs/comparison.csv', ''])(
    'answers 404 for the unknown name %j',
    async (name) => {
      const { service, reports, runOnce } = await setup();
      await runOnce();
      const signed = reports.presigned.length;
      const error = await failure(service.fileUrl(province, FORM_ID, PERIOD, name));
      expect(error).toBeInstanceOf(NotFoundError);
      expect(reports.presigned).toHaveLength(signed);
    },
  );

  it('answers 404 before any run was published', async () => {
    const { service } = await setup();
    const error = await failure(service.fileUrl(province, FORM_ID, PERIOD, 'comparison.csv'));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.detail.zh).toBe('该报告期还没有汇总结果。');
  });

  it('refuses a library (403)', async () => {
    const { service, runOnce } = await setup();
    await runOnce();
    const error = await failure(service.fileUrl(librarian, FORM_ID, PERIOD, 'comparison.csv'));
    expect(error).toBeInstanceOf(ForbiddenError);
  });
});

// ─── the nightly schedule ───────────────────────────────────────────────────────────────

describe('RollupService.runScheduled', () => {
  /** 2026 opens early (1 April, Beijing time), so that it overlaps 2025's 60 days after lock. */
  const openEarly = async (periodStore: InMemoryPeriodStore) =>
    periodStore.putWindow(FORM_ID, '2026', {
      opensAt: '2026-03-31T16:00:00.000Z',
      dueAt: '2027-01-31T15:59:59.000Z',
      locksAt: '2027-03-31T15:59:59.000Z',
      updatedBy: { subject: 'admin-1', role: 'admin' },
      updatedAt: '2026-03-01T00:00:00.000Z',
    });

  const scheduled = async (now: string, early = false) => {
    const context = await setup({ now });
    if (early) await openEarly(context.periodStore);
    const runs = await context.service.runScheduled();
    return { ...context, runs };
  };

  it('runs the open 2026 period once 2025 is long locked', async () => {
    // 2 December 2026: 2026 opened on 1 November; 2025 locked on 31 March.
    const { runs } = await scheduled('2026-12-01T18:00:00.000Z');
    expect(runs.map((run) => [run.period, run.status, run.trigger])).toEqual([
      ['2026', 'succeeded', 'schedule'],
    ]);
    expect(runs[0]?.requestedBy).toBeUndefined();
  });

  it('runs 2025 within 60 days of its lock, beside an open 2026', async () => {
    const { runs, reports } = await scheduled('2026-04-15T18:00:00.000Z', true);
    expect(runs.map((run) => [run.period, run.status])).toEqual([
      ['2025', 'succeeded'],
      ['2026', 'succeeded'],
    ]);
    for (const period of ['2025', '2026']) {
      expect(reports.objects.has(`rollups/${FORM_ID}/${period}/latest.json`)).toBe(true);
    }
  });

  it('still runs 2025 at the last moment of the 60 days after its lock', async () => {
    // Locked 2026-03-31T15:59:59Z; 60 days later.
    const { runs } = await scheduled('2026-05-30T15:59:59.000Z', true);
    expect(runs.map((run) => run.period)).toEqual(['2025', '2026']);
  });

  it('stops running 2025 once 60 days have passed since its lock', async () => {
    const { runs } = await scheduled('2026-05-30T16:00:00.000Z', true);
    expect(runs.map((run) => run.period)).toEqual(['2026']);
  });

  it('runs 2025, not the unopened 2026, in the weeks after the lock', async () => {
    const { runs } = await scheduled('2026-04-15T18:00:00.000Z');
    expect(runs.map((run) => run.period)).toEqual(['2025']);
  });

  it('counts the year in Beijing time: at 02:00 on 1 January the new period is a candidate', async () => {
    const context = await setup({ now: '2026-12-31T18:00:00.000Z' });
    await context.periodStore.putWindow(FORM_ID, '2027', {
      opensAt: '2026-12-31T16:00:00.000Z',
      dueAt: '2028-01-31T15:59:59.000Z',
      locksAt: '2028-03-31T15:59:59.000Z',
      updatedBy: { subject: 'admin-1', role: 'admin' },
      updatedAt: '2026-12-01T00:00:00.000Z',
    });
    const runs = await context.service.runScheduled();
    expect(runs.map((run) => run.period)).toEqual(['2026', '2027']);
  });

  it('runs nothing between the end of the 60 days and the next opening', async () => {
    const { runs } = await scheduled('2026-07-01T18:00:00.000Z');
    expect(runs).toEqual([]);
  });

  /** A lock exception for 2025 granted long after its lock, ending at `until`. */
  const lateException = (periodStore: InMemoryPeriodStore, until: string) =>
    periodStore.putException(FORM_ID, '2025', {
      libraryId: WUXIANG,
      until,
      grantedBy: { subject: 'admin-1', role: 'admin' },
      grantedAt: '2026-06-20T02:00:00.000Z',
    });

  it('runs 2025 past its 60 days while a lock exception lets a library write', async () => {
    const context = await setup({ now: '2026-07-01T18:00:00.000Z' });
    await lateException(context.periodStore, '2026-08-31T15:59:59.000Z');
    const runs = await context.service.runScheduled();
    expect(runs.map((run) => [run.period, run.status])).toEqual([['2025', 'succeeded']]);
  });

  it('runs 2025 until 60 days after its latest exception ended, then stops', async () => {
    const until = '2026-07-15T15:59:59.000Z';
    const at = async (now: string) => {
      const context = await setup({ now });
      await lateException(context.periodStore, '2026-06-30T15:59:59.000Z');
      await context.periodStore.putException(FORM_ID, '2025', {
        libraryId: LOUFAN,
        until,
        grantedBy: { subject: 'admin-1', role: 'admin' },
        grantedAt: '2026-06-20T02:00:00.000Z',
      });
      return (await context.service.runScheduled()).map((run) => run.period);
    };
    // 60 days after 15 July (Beijing): 13 September, to the millisecond.
    expect(await at('2026-09-13T15:59:59.000Z')).toEqual(['2025']);
    expect(await at('2026-09-13T15:59:59.001Z')).toEqual([]);
  });

  it('leaves a period to the run someone started that is still under way', async () => {
    const context = await setup({ now: '2026-12-01T18:00:00.000Z' });
    const started = await context.service.start(province, FORM_ID, '2026');
    const writes = context.runs.puts;
    expect(await context.service.runScheduled()).toEqual([started]);
    expect(context.runs.puts).toBe(writes);
    expect(context.reports.puts).toEqual([]);
  });

  it("runs a period anew when the run under way is the night's own, left by a timed-out invocation", async () => {
    const context = await setup({ now: '2026-12-01T18:00:00.000Z' });
    const [first] = await context.service.runScheduled();
    if (!first) throw new Error('nothing ran');
    // The night's invocation timed out while running the period; Lambda retries a minute later.
    const orphan: RollupRun = {
      ...first,
      status: 'running',
      attempt: 1,
      startedAt: first.createdAt,
    };
    await context.runs.put(orphan);
    context.advance(1);
    const runs = await context.service.runScheduled();
    expect(runs.map((run) => [run.period, run.status, run.runId === orphan.runId])).toEqual([
      ['2026', 'succeeded', false],
    ]);
  });

  it('records a failed period and goes on with the next', async () => {
    const context = await setup({ now: '2026-04-15T18:00:00.000Z' });
    await openEarly(context.periodStore);
    const outage = new Error(`S3 is down: ${ROLE_ARN}`);
    context.reports.failNthPutUnder(`rollups/${FORM_ID}/2025/runs/`, 1, outage);
    const runs = await context.service.runScheduled();
    const [failed] = runs;
    expect(runs.map((run) => [run.period, run.status, run.error])).toEqual([
      ['2025', 'failed', `unknown · 内部错误 / internal error · run ${failed?.runId}, attempt 1`],
      ['2026', 'succeeded', undefined],
    ]);
    // The night goes on without rethrowing: the error itself is logged, with its run.
    expect(context.log.entries).toEqual([
      {
        message: 'Rollup attempt failed',
        details: expect.objectContaining({ runId: failed?.runId, period: '2025', error: outage }),
      },
    ]);
    expect(context.reports.objects.has(`rollups/${FORM_ID}/2025/latest.json`)).toBe(false);
  });
});
