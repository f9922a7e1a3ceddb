/**
 * The province rollup through HTTP against the local stack: a run started with POST goes
 * through the Lambda Invoke API the local server plays (an asynchronous invocation, as in
 * AWS), publishes ten CSV files and a manifest to s3rver, and GET shows it with links that
 * download exactly the bytes the manifest's checksums describe.
 *
 * Libraries 1410xx (临汾市) in the periods 2034 and 2035 (and 2037 for one run record), which no
 * other test file uses:
 * other files run rollups and submit reports for 2026 in parallel, which would make counts
 * and `changes` here depend on timing.
 */
import { createHash, randomBytes } from 'node:crypto';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'csv-parse/sync';
import { DynamoDbRollupRunStore } from '../../adapters/dynamodb/rollup-run-store.js';
import { wuxiangReport2025 } from '../../domain/forms/fixtures.js';
import type { RollupRun } from '../../domain/rollup/model.js';
import {
  answerText,
  api,
  appDynamoDbClient,
  s3Client,
  sendJson,
  stack,
  tokenFor,
} from './support.js';

const FORM = 'county-annual-report';
const PREVIOUS = '2034';
const PERIOD = '2035';
const ROLLUP = `/api/rollups/${FORM}/${PERIOD}`;
const REGISTRY_SIZE = 117;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** Submitted (then accepted in the second round), with a report of the previous year too. */
const YAODU = '141002';
/** Submitted, with problem details full of CSV-hostile characters. */
const QUWO = '141021';
/** Accepted. */
const YICHENG = '141022';
/** A draft in the first round, submitted before the second. */
const XIANGFEN = '141023';
const HOSTILE_DETAILS = '书库已满, 需要"扩建"；\n第二行：楼梯, 漏水 "严重"';

const FILE_NAMES = ['comparison', 'summary', 'problems', 'completeness', 'submissions'].flatMap(
  (name) => [`${name}.csv`, `${name}.codes.csv`],
);

interface Counts {
  libraries: number;
  counted: number;
  accepted: number;
  submitted: number;
  returned: number;
  draft: number;
  missing: number;
}

interface Run {
  runId: string;
  formId: string;
  period: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  trigger: string;
  createdAt: string;
  prefix: string;
  counts?: Counts;
  files?: { name: string; rows: number; bytes: number; sha256: string }[];
  error?: string;
}

interface Status {
  formId: string;
  period: string;
  latestRun?: Run;
  published?: {
    runId: string;
    prefix: string;
    asOf: string;
    files: { name: string; rows: number; sha256: string; downloadUrl: string }[];
  };
}

interface Manifest {
  runId: string;
  counts: Counts;
  files: { name: string; rows: number; bytes: number; sha256: string }[];
  changes: { previousRunId?: string; changed: string[]; newlySubmitted: string[] };
}

const DAY = 24 * 60 * 60 * 1000;
const inMs = (milliseconds: number) => new Date(Date.now() + milliseconds).toISOString();
const sha256 = (body: Buffer) => createHash('sha256').update(body).digest('hex');
const submissionPath = (libraryId: string, period = PERIOD) =>
  `/api/libraries/${libraryId}/submissions/${FORM}/${period}`;

const expectProblem = async (response: Response, status: number) => {
  const text = await answerText(response, status);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(text).not.toMatch(/ROLLUP#|rollups\/|Exception|stack/);
};

const download = async (url: string): Promise<Buffer> => {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`download ${url}: ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
};

const csvRecords = (body: Buffer): string[][] =>
  parse(body, { bom: true, relax_column_count: false }) as string[][];

let library: Record<string, string>;
let province: string;
let admin: string;

const saveAndSubmit = async (libraryId: string, period: string, values: unknown) => {
  const token = library[libraryId] ?? '';
  await answerText(
    await sendJson(submissionPath(libraryId, period), 'PUT', token, {
      values,
      expectedRevision: 0,
    }),
    201,
  );
  await answerText(
    await sendJson(`${submissionPath(libraryId, period)}/submit`, 'POST', token, {
      expectedRevision: 1,
    }),
    200,
  );
};

const startRun = async (token = province): Promise<Run> => {
  const response = await api(ROLLUP, { method: 'POST', token });
  const run = JSON.parse(await answerText(response, 202)) as Run;
  expect(response.headers.get('location')).toBe(ROLLUP);
  return run;
};

/** Polls GET until the run finished (the worker runs asynchronously). */
const finished = async (runId: string, timeoutMs = 45_000): Promise<Status> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = JSON.parse(
      await answerText(await api(ROLLUP, { token: province }), 200),
    ) as Status;
    const run = status.latestRun;
    if (run?.runId === runId && (run.status === 'succeeded' || run.status === 'failed')) {
      return status;
    }
    if (Date.now() > deadline)
      throw new Error(`run ${runId} did not finish: ${JSON.stringify(run)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
};

const manifestOf = async (): Promise<Manifest> => {
  const redirect = await api(`${ROLLUP}/files/manifest.json`, {
    token: province,
    redirect: 'manual',
  });
  expect(redirect.status).toBe(302);
  return JSON.parse((await download(redirect.headers.get('location') ?? '')).toString('utf8'));
};

beforeAll(async () => {
  library = Object.fromEntries(
    await Promise.all(
      [YAODU, QUWO, YICHENG, XIANGFEN].map(async (id) => [id, await tokenFor('library', id)]),
    ),
  );
  [province, admin] = await Promise.all([tokenFor('province'), tokenFor('admin')]);
  for (const period of [PREVIOUS, PERIOD]) {
    await answerText(
      await sendJson(`/api/periods/${FORM}/${period}`, 'PUT', admin, {
        opensAt: inMs(-DAY),
        dueAt: inMs(30 * DAY),
        locksAt: inMs(60 * DAY),
      }),
      200,
    );
  }
  const report = wuxiangReport2025();
  await saveAndSubmit(YAODU, PREVIOUS, report);
  await answerText(
    await sendJson(`${submissionPath(YAODU, PREVIOUS)}/accept`, 'POST', province, {}),
    200,
  );
  await saveAndSubmit(YAODU, PERIOD, { ...report, holdingsTotal: 135000 });
  await saveAndSubmit(QUWO, PERIOD, { ...report, problemDetails: HOSTILE_DETAILS });
  await saveAndSubmit(YICHENG, PERIOD, report);
  await answerText(await sendJson(`${submissionPath(YICHENG)}/accept`, 'POST', province, {}), 200);
  await answerText(
    await sendJson(submissionPath(XIANGFEN), 'PUT', library[XIANGFEN] ?? '', {
      values: { holdingsTotal: 1, problemDetails: '草稿，不应计入' },
      expectedRevision: 0,
    }),
    201,
  );
}, 60_000);

describe('a rollup run', () => {
  let run: Run;
  let status: Status;
  const bodies = new Map<string, Buffer>();

  beforeAll(async () => {
    run = await startRun();
    status = await finished(run.runId);
    for (const file of status.published?.files ?? []) {
      bodies.set(file.name, await download(file.downloadUrl));
    }
  }, 60_000);

  it('is queued by POST (202) with its run id and its own prefix', () => {
    expect(run).toMatchObject({
      formId: FORM,
      period: PERIOD,
      status: 'queued',
      trigger: 'manual',
    });
    expect(run.runId).toMatch(/^\d{8}T\d{9}Z-[0-9a-f]{8}$/);
    expect(run.prefix).toBe(`rollups/${FORM}/${PERIOD}/runs/${run.runId}`);
  });

  it('succeeds and counts submitted and accepted reports only, against the whole registry', () => {
    expect(status.latestRun).toMatchObject({ runId: run.runId, status: 'succeeded' });
    expect(status.latestRun?.counts).toEqual({
      libraries: REGISTRY_SIZE,
      counted: 3,
      accepted: 1,
      submitted: 2,
      returned: 0,
      draft: 1,
      missing: REGISTRY_SIZE - 4,
    });
    expect(status.published?.runId).toBe(run.runId);
  });

  it('lists every file with its rows and sha256, and each link downloads exactly those bytes', () => {
    const files = status.published?.files ?? [];
    expect(files.map((file) => file.name)).toEqual(FILE_NAMES);
    for (const file of files) {
      expect(file.rows).toBeGreaterThan(0);
      expect(file.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(sha256(bodies.get(file.name) ?? Buffer.alloc(0))).toBe(file.sha256);
      expect(status.latestRun?.files).toContainEqual(
        expect.objectContaining({ name: file.name, rows: file.rows, sha256: file.sha256 }),
      );
    }
    const rows = Object.fromEntries(files.map((file) => [file.name, file.rows]));
    expect(rows).toMatchObject({
      'comparison.csv': REGISTRY_SIZE,
      'comparison.codes.csv': REGISTRY_SIZE,
      'completeness.csv': REGISTRY_SIZE,
      'submissions.csv': 3,
      'submissions.codes.csv': 3,
    });
  });

  it('writes comparison.csv for Excel: UTF-8 with a BOM, Chinese headers, one row per library', () => {
    const body = bodies.get('comparison.csv') ?? Buffer.alloc(0);
    expect(body.subarray(0, 3)).toEqual(BOM);
    const [header, ...records] = csvRecords(body);
    expect(header?.slice(0, 4)).toEqual(['馆代码', '图书馆', '所属市', '填报状态']);
    expect(records).toHaveLength(REGISTRY_SIZE);
    expect(records.find((record) => record[0] === YAODU)?.slice(1, 3)).toEqual([
      '尧都区图书馆',
      '临汾市',
    ]);
  });

  it('writes comparison.codes.csv for programs: no BOM, field keys, drafts with empty values', () => {
    const body = bodies.get('comparison.codes.csv') ?? Buffer.alloc(0);
    expect(body.subarray(0, 3)).not.toEqual(BOM);
    const [header = [], ...records] = csvRecords(body);
    expect(header).toEqual(
      expect.arrayContaining([
        'libraryId',
        'name',
        'cityName',
        'status',
        'holdingsTotal',
        'fundingTotal',
        'staffTotal',
        'holdingsTotalChangePct',
        'flags',
      ]),
    );
    const byId = new Map(
      records.map((record) => [
        record[0],
        Object.fromEntries(header.map((key, i) => [key, record[i]])),
      ]),
    );
    expect(byId.size).toBe(REGISTRY_SIZE);
    expect(byId.get(YAODU)).toMatchObject({ status: 'submitted', holdingsTotal: '135000' });
    // 129000 → 135000 from the accepted report of 2034.
    expect(byId.get(YAODU)?.holdingsTotalChangePct).toBe('4.7');
    expect(byId.get(YICHENG)).toMatchObject({ status: 'accepted', holdingsTotal: '129000' });
    expect(byId.get(YICHENG)?.holdingsTotalChangePct).toBe('');
    expect(byId.get(XIANGFEN)).toMatchObject({ status: 'draft', holdingsTotal: '' });
    expect(byId.get('141024')).toMatchObject({ status: 'none', holdingsTotal: '' });
  });

  it('keeps commas, quotes and line breaks of problem details intact', () => {
    const [header = [], ...records] = csvRecords(
      bodies.get('submissions.codes.csv') ?? Buffer.alloc(0),
    );
    const column = header.indexOf('problemDetails');
    expect(column).toBeGreaterThan(0);
    expect(records.map((record) => record[0]).sort()).toEqual([YAODU, QUWO, YICHENG].sort());
    expect(records.find((record) => record[0] === QUWO)?.[column]).toBe(HOSTILE_DETAILS);
    expect(bodies.get('submissions.csv')?.toString('utf8')).not.toContain('草稿，不应计入');
  });

  it('has a manifest whose files and checksums match, listing every counted report as new', async () => {
    const manifest = await manifestOf();
    expect(manifest.runId).toBe(run.runId);
    expect(manifest.files).toEqual(status.latestRun?.files);
    expect(manifest.changes.previousRunId).toBeUndefined();
    expect(manifest.changes.newlySubmitted.sort()).toEqual([YAODU, QUWO, YICHENG].sort());
    expect(manifest.changes.changed).toEqual([]);
  });

  it('redirects …/files/{name} to a short-lived link that is never cached', async () => {
    const response = await api(`${ROLLUP}/files/comparison.csv`, {
      token: province,
      redirect: 'manual',
    });
    expect(response.status).toBe(302);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const location = response.headers.get('location') ?? '';
    expect(new URL(location).searchParams.get('X-Amz-Expires')).toBe('300');
    const body = await download(location);
    expect(sha256(body)).toBe(
      status.published?.files.find((file) => file.name === 'comparison.csv')?.sha256,
    );
  });

  it('keeps the files under the run prefix in the reports bucket', async () => {
    const s3 = s3Client();
    try {
      const object = await s3.send(
        new GetObjectCommand({ Bucket: 'reports', Key: `${run.prefix}/comparison.codes.csv` }),
      );
      const body = Buffer.from((await object.Body?.transformToByteArray()) ?? []);
      expect(body.equals(bodies.get('comparison.codes.csv') ?? Buffer.alloc(0))).toBe(true);
    } finally {
      s3.destroy();
    }
  });
});

describe('who may do what', () => {
  it('a library may neither start nor read rollups (403)', async () => {
    const token = library[YAODU] ?? '';
    await expectProblem(await api(ROLLUP, { method: 'POST', token }), 403);
    await expectProblem(await api(ROLLUP, { token }), 403);
    await expectProblem(await api(`${ROLLUP}/files/comparison.csv`, { token }), 403);
    // Whatever the path: refused for the role before the path is judged.
    const malformed = `/api/rollups/${FORM}/20x6`;
    await expectProblem(await api(malformed, { method: 'POST', token }), 403);
    await expectProblem(await api(malformed, { token }), 403);
  });

  it('no token: 401', async () => {
    await expectProblem(await api(ROLLUP, { method: 'POST' }), 401);
  });

  it('an administrator may start one too', async () => {
    const run = await startRun(admin);
    expect((await finished(run.runId)).latestRun?.status).toBe('succeeded');
  });
});

describe('unknown things', () => {
  it('an unknown form: 404 to start and to read', async () => {
    await expectProblem(
      await api('/api/rollups/no-such-form/2035', { method: 'POST', token: province }),
      404,
    );
    await expectProblem(await api('/api/rollups/no-such-form/2035', { token: province }), 404);
  });

  it('an invalid period: 400', async () => {
    await expectProblem(
      await api(`/api/rollups/${FORM}/2035-H1`, { method: 'POST', token: province }),
      400,
    );
  });

  it('an unknown file: 404', async () => {
    await expectProblem(
      await api(`${ROLLUP}/files/secrets.csv`, { token: province, redirect: 'manual' }),
      404,
    );
    await expectProblem(
      await api(`${ROLLUP}/files/latest.json`, { token: province, redirect: 'manual' }),
      404,
    );
  });

  it('a period without any run: 200 with nothing, and no file to download', async () => {
    const status = JSON.parse(
      await answerText(await api(`/api/rollups/${FORM}/2036`, { token: province }), 200),
    ) as Status;
    expect(status).toEqual({ formId: FORM, period: '2036' });
    await expectProblem(
      await api(`/api/rollups/${FORM}/2036/files/comparison.csv`, {
        token: province,
        redirect: 'manual',
      }),
      404,
    );
  });
});

describe('the next run', () => {
  let previous: Manifest;
  let status: Status;
  let manifest: Manifest;

  beforeAll(async () => {
    previous = await manifestOf();
    // 尧都 is accepted (its status changes) and 襄汾 completes and submits its draft.
    await answerText(await sendJson(`${submissionPath(YAODU)}/accept`, 'POST', province, {}), 200);
    await answerText(
      await sendJson(submissionPath(XIANGFEN), 'PUT', library[XIANGFEN] ?? '', {
        values: wuxiangReport2025(),
        expectedRevision: 1,
      }),
      200,
    );
    await answerText(
      await sendJson(`${submissionPath(XIANGFEN)}/submit`, 'POST', library[XIANGFEN] ?? '', {
        expectedRevision: 2,
      }),
      200,
    );
    const run = await startRun();
    status = await finished(run.runId);
    manifest = await manifestOf();
  }, 60_000);

  it('reports what changed since the previous published run', () => {
    expect(status.latestRun?.status).toBe('succeeded');
    expect(manifest.runId).toBe(status.latestRun?.runId);
    expect(manifest.changes.previousRunId).toBe(previous.runId);
    expect(manifest.changes.changed).toEqual([YAODU]);
    expect(manifest.changes.newlySubmitted).toEqual([XIANGFEN]);
    expect(manifest.counts).toMatchObject({ counted: 4, accepted: 2, draft: 0 });
  });

  it('moves latest to the new run; the old run keeps its own files', async () => {
    expect(status.published?.runId).toBe(manifest.runId);
    const oldManifest = status.published?.prefix.replace(manifest.runId, previous.runId);
    const s3 = s3Client();
    try {
      const object = await s3.send(
        new GetObjectCommand({ Bucket: 'reports', Key: `${oldManifest}/manifest.json` }),
      );
      const text = (await object.Body?.transformToString('utf-8')) ?? '';
      expect((JSON.parse(text) as Manifest).runId).toBe(previous.runId);
    } finally {
      s3.destroy();
    }
  });
});

describe('the worker, invoked as the nightly schedule does', () => {
  const lambda = () =>
    new LambdaClient({
      endpoint: stack.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      maxAttempts: 1,
    });

  /** The calendar year in Beijing at `time`: periods and their windows are set there. */
  const beijingYear = (time: number) =>
    Number(
      new Intl.DateTimeFormat('en', { timeZone: 'Asia/Shanghai', year: 'numeric' }).format(time),
    );

  /** The window the stack holds for a period: the default one, or one an administrator set. */
  const windowOf = async (period: string) =>
    JSON.parse(
      await answerText(await api(`/api/periods/${FORM}/${period}`, { token: province }), 200),
    ) as { opensAt: string; locksAt: string };

  /**
   * The runs a nightly run at `time` should make, oldest first: last and this Beijing year's
   * periods, each from its opening until 60 days after its lock.
   */
  const expectedRunsAt = async (time: number) => {
    const year = beijingYear(time);
    const expected: { formId: string; period: string; status: string }[] = [];
    for (const period of [String(year - 1), String(year)]) {
      const window = await windowOf(period);
      if (Date.parse(window.opensAt) <= time && time <= Date.parse(window.locksAt) + 60 * DAY) {
        expected.push({ formId: FORM, period, status: 'succeeded' });
      }
    }
    return expected;
  };

  it('runs every open or recently locked period of this and last year', async () => {
    // This year's period open around now, whatever the date, so there is at least one to run.
    const now = Date.now();
    await answerText(
      await sendJson(`/api/periods/${FORM}/${beijingYear(now)}`, 'PUT', admin, {
        opensAt: new Date(now - 30 * DAY).toISOString(),
        dueAt: new Date(now + 30 * DAY).toISOString(),
        locksAt: new Date(now + 60 * DAY).toISOString(),
      }),
      200,
    );
    const client = lambda();
    try {
      const before = Date.now();
      const result = await client.send(
        new InvokeCommand({
          FunctionName: 'run-rollup',
          Payload: Buffer.from(JSON.stringify({ scheduled: true })),
        }),
      );
      const after = Date.now();
      expect(result.FunctionError).toBeUndefined();
      const { runs } = JSON.parse(Buffer.from(result.Payload ?? []).toString('utf8')) as {
        runs: { formId: string; period: string; status: string }[];
      };
      expect(runs.length).toBeGreaterThan(0);
      // The worker reads the time once, between `before` and `after`; a window's edge or
      // Beijing's New Year may fall in between.
      const made = runs.map(({ formId, period, status }) => ({ formId, period, status }));
      expect([await expectedRunsAt(before), await expectedRunsAt(after)]).toContainEqual(made);
    } finally {
      client.destroy();
    }
  }, 60_000);

  it('fails an event that is not a rollup event, for the dead-letter queue', async () => {
    const client = lambda();
    try {
      const result = await client.send(
        new InvokeCommand({
          FunctionName: 'run-rollup',
          Payload: Buffer.from(JSON.stringify({ formId: FORM })),
        }),
      );
      expect(result.FunctionError).toBe('Unhandled');
      expect(Buffer.from(result.Payload ?? []).toString('utf8')).toContain('Not a rollup event');
    } finally {
      client.destroy();
    }
  });
});

describe('run records in the table', () => {
  // A form and period of their own: records only, no files.
  const record = (createdAt: string, runId: string): RollupRun => ({
    formId: 'records-only',
    period: '2099',
    runId,
    status: 'queued',
    trigger: 'manual',
    createdAt,
    prefix: `rollups/records-only/2099/runs/${runId}`,
  });

  it('finds a run by id (also one whose id does not carry its time) and the newest one', async () => {
    const client = appDynamoDbClient();
    const store = new DynamoDbRollupRunStore(client, stack.tableName);
    try {
      expect(await store.latest('records-only', '2099')).toBeUndefined();
      const older = record('2099-01-01T02:00:00.000Z', '20990101T020000000Z-00000001');
      const odd = record('2099-01-02T02:00:00.000Z', 'imported-run');
      const newest = record('2099-01-03T02:00:00.000Z', '20990103T020000000Z-00000003');
      for (const run of [newest, older, odd]) await store.put(run);
      expect(await store.get('records-only', '2099', older.runId)).toEqual(older);
      expect(await store.get('records-only', '2099', 'imported-run')).toEqual(odd);
      expect(
        await store.get('records-only', '2099', '20990101T020000000Z-99999999'),
      ).toBeUndefined();
      expect(await store.latest('records-only', '2099')).toEqual(newest);
      const finished: RollupRun = { ...older, status: 'failed', error: 'Error: boom' };
      await store.put(finished);
      expect(await store.get('records-only', '2099', older.runId)).toEqual(finished);
    } finally {
      client.destroy();
    }
  });
});

describe('a retried event, through the worker', () => {
  // Lambda's retries deliver the same `{formId, period, runId}` again; here the test delivers
  // it synchronously, over run records it writes in the states a failed or stopped attempt
  // leaves behind. Period 2035 has a published run by now (`the next run`); period 2037, which
  // no other test uses, has no run but the one a test records.
  const client = appDynamoDbClient();
  const store = new DynamoDbRollupRunStore(client, stack.tableName);
  const lambda = new LambdaClient({
    endpoint: stack.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    maxAttempts: 1,
  });
  afterAll(() => {
    client.destroy();
    lambda.destroy();
  });

  /** A run record created `ageMs` ago, with a run id as RollupService makes them. */
  const recorded = (ageMs: number, changes: Partial<RollupRun>, period = PERIOD): RollupRun => {
    const createdAt = new Date(Date.now() - ageMs).toISOString();
    const runId = `${createdAt.replace(/[-:.]/g, '')}-${randomBytes(4).toString('hex')}`;
    return {
      formId: FORM,
      period,
      runId,
      status: 'queued',
      trigger: 'manual',
      createdAt,
      prefix: `rollups/${FORM}/${period}/runs/${runId}`,
      ...changes,
    };
  };

  /** Delivers the run's event to the worker, as a retry of it would. */
  const deliver = async (run: RollupRun) => {
    const result = await lambda.send(
      new InvokeCommand({
        FunctionName: 'run-rollup',
        Payload: Buffer.from(
          JSON.stringify({ formId: run.formId, period: run.period, runId: run.runId }),
        ),
      }),
    );
    const payload = JSON.parse(Buffer.from(result.Payload ?? []).toString('utf8')) as {
      status?: string;
      errorType?: string;
      errorMessage?: string;
    };
    return { failed: result.FunctionError !== undefined, payload };
  };

  const published = async () =>
    (JSON.parse(await answerText(await api(ROLLUP, { token: province }), 200)) as Status).published;

  it('runs a failed run again as its next attempt and publishes it', async () => {
    const run = recorded(0, {
      status: 'failed',
      attempt: 1,
      startedAt: new Date(Date.now() - 60_000).toISOString(),
      finishedAt: new Date().toISOString(),
      error: 'Error: S3 is down',
    });
    await store.put(run);
    const { failed, payload } = await deliver(run);
    expect({ failed, status: payload.status }).toEqual({ failed: false, status: 'succeeded' });
    const after = await store.get(FORM, PERIOD, run.runId);
    expect(after).toMatchObject({
      status: 'succeeded',
      attempt: 2,
      earlierErrors: ['Error: S3 is down'],
    });
    expect(after?.error).toBeUndefined();
    expect((await published())?.runId).toBe(run.runId);

    // Delivered once more, the succeeded run is returned as it is.
    expect((await deliver(run)).payload.status).toBe('succeeded');
    expect(await store.get(FORM, PERIOD, run.runId)).toEqual(after);
  }, 60_000);

  it("takes over a run still running past the worker's 300 s timeout", async () => {
    const run = recorded(
      7 * 60_000,
      { status: 'running', attempt: 1, startedAt: new Date(Date.now() - 6 * 60_000).toISOString() },
      '2037',
    );
    await store.put(run);
    const { failed, payload } = await deliver(run);
    expect({ failed, status: payload.status }).toEqual({ failed: false, status: 'succeeded' });
    expect(await store.get(FORM, '2037', run.runId)).toMatchObject({
      status: 'succeeded',
      attempt: 2,
      earlierErrors: ['Attempt 1 did not finish: its worker timed out or stopped.'],
    });
  }, 60_000);

  it('fails, writing nothing, while the run may still be running elsewhere', async () => {
    const run = recorded(60_000, {
      status: 'running',
      attempt: 1,
      startedAt: new Date(Date.now() - 60_000).toISOString(),
    });
    await store.put(run);
    const { failed, payload } = await deliver(run);
    expect(failed).toBe(true);
    expect(payload.errorType).toBe('RollupRunInProgressError');
    expect(await store.get(FORM, PERIOD, run.runId)).toEqual(run);
  });

  it('does not run a run whose event comes after a newer run of its period', async () => {
    const before = await published();
    const run = recorded(60 * 60_000, {});
    await store.put(run);
    const { failed, payload } = await deliver(run);
    // Recorded superseded, and the event ends: no retry, nothing written, latest unchanged.
    expect({ failed, status: payload.status }).toEqual({ failed: false, status: 'failed' });
    expect(await store.get(FORM, PERIOD, run.runId)).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/^superseded · /),
    });
    expect((await published())?.runId).toBe(before?.runId);
    const s3 = s3Client();
    try {
      const listed = await s3.send(
        new ListObjectsV2Command({ Bucket: 'reports', Prefix: run.prefix }),
      );
      expect(listed.KeyCount).toBe(0);
    } finally {
      s3.destroy();
    }
  }, 60_000);

  it('lets only one of two workers delivered the event at once run it', async () => {
    const run = recorded(0, {});
    await store.put(run);
    const outcomes = await Promise.all([deliver(run), deliver(run)]);
    // The other one lost the take (and returned) or found it running (and failed, to retry).
    expect(outcomes.some(({ payload }) => payload.status === 'succeeded')).toBe(true);
    for (const { failed, payload } of outcomes) {
      if (failed) expect(payload.errorType).toBe('RollupRunInProgressError');
    }
    expect(await store.get(FORM, PERIOD, run.runId)).toMatchObject({
      status: 'succeeded',
      attempt: 1,
    });
  }, 60_000);
});
