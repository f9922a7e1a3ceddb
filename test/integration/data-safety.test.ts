/**
 * Data safety: a report's revisions are immutable. Every code path that writes to the table is
 * listed (a scan of the sources pins the list), and each is exercised here against the stack's
 * DynamoDB Local through the app's DynamoDB client, wrapped to record every call and its input: the
 * submission lifecycle (save, submit, return, accept, reopen, a lost race), periods, evidence
 * (presign, verify, reject, delete), rollup runs, the registry and idempotency records. No
 * call may update or delete a revision item, or put one without `attribute_not_exists`; and
 * every revision reads back exactly as the put that created it wrote it.
 *
 * The services are wired here as functions/*-service.ts wires them, with this recording client
 * (the handlers' own clients are module-private); the idempotency layer takes the settings of
 * functions/http/idempotency.ts (idempotency-settings.ts) with that client. Libraries
 * 140921–140923 (忻州市), period 2029: no other test
 * uses them.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import { makeHandlerIdempotent } from '@aws-lambda-powertools/idempotency/middleware';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { DynamoDbOperationName } from '../../adapters/dynamodb/client.js';
import { DynamoDbEvidenceStore } from '../../adapters/dynamodb/evidence-store.js';
import { DynamoDbIdempotencyStore } from '../../adapters/dynamodb/idempotency-store.js';
import { revisionKeys, revisionPrefix, submissionKeys } from '../../adapters/dynamodb/keys.js';
import { DynamoDbLibraryStore } from '../../adapters/dynamodb/library-store.js';
import { DynamoDbPeriodStore } from '../../adapters/dynamodb/period-store.js';
import { DynamoDbRollupRunStore } from '../../adapters/dynamodb/rollup-run-store.js';
import { DynamoDbSubmissionStore } from '../../adapters/dynamodb/submission-store.js';
import { detectContentType } from '../../adapters/file-type.js';
import { formRegistry } from '../../adapters/form-catalog.js';
import { readRegistryFile } from '../../adapters/registry-file.js';
import { S3EvidenceStorage } from '../../adapters/s3/evidence-storage.js';
import { S3ReportStorage } from '../../adapters/s3/report-storage.js';
import type { Principal } from '../../domain/auth/principal.js';
import { ConflictError } from '../../domain/errors.js';
import { EvidenceService } from '../../domain/evidence/service.js';
import { wuxiangReport2025 } from '../../domain/forms/fixtures.js';
import { PeriodService } from '../../domain/periods/service.js';
import type { RollupRequest } from '../../domain/rollup/model.js';
import { RollupService } from '../../domain/rollup/service.js';
import { SaveDraftBody } from '../../domain/submissions/commands.js';
import type { SubmissionKey, SubmissionStatus } from '../../domain/submissions/model.js';
import { SubmissionService } from '../../domain/submissions/service.js';
import { RevisionConflictError } from '../../domain/submissions/store.js';
import { IDEMPOTENCY_CONFIG_OPTIONS } from '../../functions/http/idempotency-settings.js';
import { readJsonBody } from '../../functions/http/request.js';
import type { ApiEvent, ApiResult } from '../../functions/http/types.js';
import { mainTable, ROLLUP_RUN_PARTITION_PREFIX } from '../../infra/resources.js';
import { createLambdaContext } from '../../local/api-gateway-event.js';
import { REPO_ROOT } from './global-setup.js';
import { appDynamoDbClient, appS3Client, stack } from './support.js';

const FORM = 'county-annual-report';
const PERIOD = '2029';
const LIB = { lifecycle: '140921', evidence: '140922', race: '140923' } as const;
const DAY = 24 * 60 * 60 * 1000;

// ---------------------------------------------------------------------------------------------
// Every write to the table, as the code sends it.

interface RecordedCall {
  /** The DynamoDB operation: `PutItem`, `TransactWriteItems`… */
  command: DynamoDbOperationName;
  input: Record<string, unknown>;
  /** Which step of this test made it. */
  step: string;
}

type WriteKind = 'Put' | 'Update' | 'Delete' | 'ConditionCheck';

interface ItemWrite {
  kind: WriteKind;
  via: string;
  step: string;
  PK: string;
  SK: string;
  condition?: string;
  item?: Record<string, unknown>;
}

const calls: RecordedCall[] = [];
let step = 'setup';

/** A key attribute as the app's client takes it (`'LIB#…'`). */
const text = (value: unknown): string => (typeof value === 'string' ? value : '');

const keyOf = (record: Record<string, unknown> | undefined) => ({
  PK: text(record?.PK),
  SK: text(record?.SK),
});

/** A property of a value of unknown shape. */
const field = (value: unknown, name: string): unknown =>
  typeof value === 'object' && value !== null
    ? (value as Record<string, unknown>)[name]
    : undefined;
const asRecord = (value: unknown) => value as Record<string, unknown> | undefined;
const condition = (value: unknown) => field(value, 'ConditionExpression') as string | undefined;

/** The item writes a recorded call makes. */
const itemWrites = (call: RecordedCall): ItemWrite[] => {
  const base = { via: call.command, step: call.step };
  const { input } = call;
  switch (call.command.replace(/Items?$/, '')) {
    case 'Put':
      return [
        {
          ...base,
          kind: 'Put',
          ...keyOf(asRecord(input.Item)),
          condition: condition(input),
          item: asRecord(input.Item),
        },
      ];
    case 'Update':
    case 'Delete':
      return [
        {
          ...base,
          kind: call.command.startsWith('Update') ? 'Update' : 'Delete',
          ...keyOf(asRecord(input.Key)),
          condition: condition(input),
        },
      ];
    case 'TransactWrite':
      return (input.TransactItems as unknown[]).flatMap((entry) => {
        const [kind, operation] = Object.entries(entry as object)[0] as [
          WriteKind | 'ConditionCheck',
          unknown,
        ];
        // A check of an item the transaction does not write (verification's of the report).
        if (kind === 'ConditionCheck') return [];
        return {
          ...base,
          kind,
          ...keyOf(asRecord(field(operation, kind === 'Put' ? 'Item' : 'Key'))),
          condition: condition(operation),
          ...(kind === 'Put' ? { item: asRecord(field(operation, 'Item')) } : {}),
        };
      });
    case 'BatchWrite':
      return Object.values(input.RequestItems as Record<string, unknown[]>)
        .flat()
        .map((request): ItemWrite => {
          const put = field(request, 'PutRequest');
          return put
            ? { ...base, kind: 'Put', ...keyOf(asRecord(field(put, 'Item'))) }
            : {
                ...base,
                kind: 'Delete',
                ...keyOf(asRecord(field(field(request, 'DeleteRequest'), 'Key'))),
              };
        });
    default:
      return [];
  }
};

/** JSON with sorted keys: DynamoDB returns attributes in any order. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_, item: unknown) =>
    item && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => a.localeCompare(b)))
      : item,
  );

/** The revision item layout of adapters/dynamodb/keys.ts. */
const isRevisionItem = ({ PK, SK }: { PK: string; SK: string }) =>
  PK.startsWith('LIB#') && SK.startsWith('REV#');
/** The only write a revision may ever get: created once, never over an existing one. */
const CREATE_ONLY = /^attribute_not_exists\((PK|SK)\)$/;

const recordingClient = () => {
  const client = appDynamoDbClient();
  const send = client.send.bind(client);
  client.send = (operation, input) => {
    calls.push({
      command: operation,
      input: structuredClone(input as Record<string, unknown>),
      step,
    });
    return send(operation, input);
  };
  return client;
};

// ---------------------------------------------------------------------------------------------
// The services, wired as functions/*-service.ts wires them, on the recording client.

const documents = recordingClient();
const buckets = (
  JSON.parse(readFileSync(join(stack.dataDir, 'stack.json'), 'utf8')) as {
    buckets: { evidence: string; reports: string };
  }
).buckets;
const s3 = appS3Client();
const now = () => new Date();
const table = stack.tableName;

const store = new DynamoDbSubmissionStore(documents, table);
const libraries = new DynamoDbLibraryStore(documents, table);
const periods = new PeriodService({
  store: new DynamoDbPeriodStore(documents, table),
  forms: formRegistry,
  libraries,
  now,
});
const submissions = new SubmissionService({ store, periods, forms: formRegistry, now });
const evidenceStore = new DynamoDbEvidenceStore(documents, table);
const evidence = new EvidenceService({
  evidence: evidenceStore,
  objects: new S3EvidenceStorage(s3, buckets.evidence),
  detectType: detectContentType,
  submissions: store,
  periods,
  forms: formRegistry,
  limits: { maxBytes: 20 * 1024 * 1024, maxItemsPerReport: 30 },
  now,
});
const launched: RollupRequest[] = [];
const rollups = new RollupService({
  runs: new DynamoDbRollupRunStore(documents, table),
  reports: new S3ReportStorage(s3, buckets.reports),
  launcher: { launch: async (request) => void launched.push(request) },
  submissions: store,
  libraries,
  periods,
  forms: formRegistry,
  now,
});

const admin: Principal = { subject: 'data-safety-admin', role: 'admin' };
const province: Principal = { subject: 'data-safety-province', role: 'province' };
const library = (libraryId: string): Principal => ({
  subject: `data-safety-${libraryId}`,
  role: 'library',
  libraryId,
});
const reportKey = (libraryId: string): SubmissionKey => ({
  libraryId,
  formId: FORM,
  period: PERIOD,
});

/** Every revision item of a library's report, as stored. */
const storedRevisions = async (libraryId: string) => {
  const { Items } = await documents.send('Query', {
    TableName: table,
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
    ExpressionAttributeValues: {
      ':pk': submissionKeys(reportKey(libraryId)).PK,
      ':prefix': revisionPrefix(reportKey(libraryId)),
    },
    ConsistentRead: true,
  });
  return Items ?? [];
};

/** A valid 1×1 PNG: verification reads its magic bytes. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
const upload = (objectKey: string, body: Buffer) =>
  s3.send('PutObject', {
    Bucket: buckets.evidence,
    Key: objectKey,
    Body: body,
    ContentType: 'image/png',
  });

/** Runs one step of the story, tagging the calls it makes. */
const inStep = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
  step = name;
  try {
    return await work();
  } finally {
    step = 'between steps';
  }
};

beforeAll(async () => {
  const window = {
    opensAt: new Date(Date.now() - DAY).toISOString(),
    dueAt: new Date(Date.now() + 30 * DAY).toISOString(),
    locksAt: new Date(Date.now() + 60 * DAY).toISOString(),
  };
  await inStep('period window', () => periods.update(admin, FORM, PERIOD, window));
  await inStep('lock exception', () =>
    periods.addException(admin, FORM, PERIOD, {
      libraryId: LIB.lifecycle,
      until: new Date(Date.now() + 90 * DAY).toISOString(),
    }),
  );
});

afterAll(() => {
  documents.destroy();
  s3.destroy();
});

// ---------------------------------------------------------------------------------------------
// Every place in the code that writes to the table.

const SOURCE_DIRS = ['adapters', 'domain', 'functions', 'local', 'scripts', 'infra', 'bench'];
/** The app's client's write operations, the SDK's write commands, and the transaction sender. */
const WRITE_CALL =
  /\bsend\(\s*'((?:Put|Update|Delete)Item|TransactWriteItems|BatchWriteItem)'|new\s+((?:Put|Update|Delete|TransactWrite|BatchWrite)(?:Item|Items)?Command|(?:Batch)?ExecuteStatementCommand|ExecuteTransactionCommand)\s*\(|\b(sendTransaction)\s*\(/g;

const sourceFiles = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : sourceFiles(path);
    return /\.(ts|mjs|js)$/.test(name) && !/\.test\.ts$/.test(name) ? [path] : [];
  });

describe('the write paths in the code', () => {
  it('are exactly these; a new one must be added here and exercised below', () => {
    const found: Record<string, string[]> = {};
    for (const file of SOURCE_DIRS.flatMap((dir) => sourceFiles(join(REPO_ROOT, dir)))) {
      const source = readFileSync(file, 'utf8');
      const commands = [...source.matchAll(WRITE_CALL)].map(
        (match) => (match[1] ?? match[2] ?? match[3]) as string,
      );
      // S3's PutObjectCommand and the like end differently; only DynamoDB's are matched.
      if (commands.length > 0) found[relative(REPO_ROOT, file)] = commands.sort();
    }
    expect(found).toEqual({
      // the one sender of transactions (adapters/dynamodb/transactions.ts), for these two:
      'adapters/dynamodb/transactions.ts': ['TransactWriteItems'],
      // head and revision in one transaction (the only writer of revisions)
      'adapters/dynamodb/submission-store.ts': ['sendTransaction'],
      // evidence items: created once with their report's set version, then moved between states
      // (verified only while the report's head, checked in the same transaction, is editable)
      'adapters/dynamodb/evidence-store.ts': ['UpdateItem', 'sendTransaction', 'sendTransaction'],
      // window and lock exceptions
      'adapters/dynamodb/period-store.ts': ['PutItem', 'PutItem'],
      // idempotency records (PK idempotency#…): taken, completed, or released after a failure
      'adapters/dynamodb/idempotency-store.ts': ['DeleteItem', 'PutItem', 'UpdateItem'],
      // rollup run records: created with a plain put; every later put (a worker taking the run,
      // the end of its attempt) only over the status and attempt it read, checked below
      'adapters/dynamodb/rollup-run-store.ts': ['PutItem'],
      // the registry
      'adapters/dynamodb/library-store.ts': ['BatchWriteItem'],
      // the local demo marker (key DEMO/SEEDED), checked below
      'local/stack.ts': ['PutItem'],
      // the benchmark's raw copies, in a throwaway stack of its own, created like the API does
      'bench/api-save.ts': ['TransactWriteItemsCommand'],
    });
  });

  it("name every operation of the app's DynamoDB client literally, so that the scan above sees each write", () => {
    // `send(operation, …)` with a variable would hide a write; only the client itself and the
    // local IAM guard's wrapper pass an operation on. Nothing reaches DynamoDB through another
    // SigV4 client or its own target header, which the scan would not see either.
    const PASSES_ON = new Set(['adapters/dynamodb/client.ts', 'local/iam-guard.ts']);
    const hidden: string[] = [];
    for (const file of SOURCE_DIRS.flatMap((dir) => sourceFiles(join(REPO_ROOT, dir)))) {
      const path = relative(REPO_ROOT, file);
      if (PASSES_ON.has(path)) continue;
      const source = readFileSync(file, 'utf8');
      const pattern = /dynamodb\/client\.js'/.test(source)
        ? /\.send(?:<[^>]*>)?\(\s*(?!['"]|new\s)[^)\s]|\.send\.(?:call|apply)\(|DynamoDB_20120810|service:\s*'dynamodb'/g
        : /DynamoDB_20120810|service:\s*'dynamodb'/g;
      for (const match of source.matchAll(pattern)) hidden.push(`${path}: ${match[0]}`);
    }
    expect(hidden).toEqual([]);
  });

  it('the local demo marker is not a revision key', () => {
    const source = readFileSync(join(REPO_ROOT, 'local/stack.ts'), 'utf8');
    expect(source).toMatch(/const DEMO_MARKER = \{ PK: 'DEMO', SK: 'SEEDED' \};/);
  });

  it('nothing uses the aggregated DynamoDBDocument client, whose methods the scan would miss', () => {
    const users = SOURCE_DIRS.flatMap((dir) => sourceFiles(join(REPO_ROOT, dir))).filter((file) =>
      /\bDynamoDBDocument\b(?!Client)/.test(readFileSync(file, 'utf8')),
    );
    expect(users.map((file) => relative(REPO_ROOT, file))).toEqual([]);
  });

  it('revision keys are what this test takes them for', () => {
    const key = revisionKeys(reportKey(LIB.lifecycle), 7);
    expect(isRevisionItem(key)).toBe(true);
    expect(isRevisionItem(submissionKeys(reportKey(LIB.lifecycle)))).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// Every write path, exercised.

describe('every write path, against DynamoDB Local', () => {
  const lifecycle = reportKey(LIB.lifecycle);
  const owner = library(LIB.lifecycle);
  const full = { ...wuxiangReport2025(), holdingsTotal: 292_921 };

  it('the submission lifecycle: save, save, stale save, submit, return, save, submit, accept, reopen', async () => {
    await inStep('save (create)', () =>
      submissions.saveDraft(owner, lifecycle, {
        values: { holdingsTotal: 1 },
        expectedRevision: 0,
      }),
    );
    await inStep('save', () =>
      submissions.saveDraft(owner, lifecycle, { values: full, expectedRevision: 1 }),
    );
    await expect(
      inStep('stale save', () =>
        submissions.saveDraft(owner, lifecycle, {
          values: { holdingsTotal: 3 },
          expectedRevision: 1,
        }),
      ),
    ).rejects.toBeInstanceOf(ConflictError);
    await inStep('submit', () =>
      submissions.submit(owner, lifecycle, { expectedRevision: 2, explanations: {} }),
    );
    await inStep('return', () =>
      submissions.returnToLibrary(province, lifecycle, {
        message: '请核对馆藏。',
        fieldComments: { holdingsTotal: '请核对。' },
        expectedRevision: 3,
      }),
    );
    await inStep('save (returned)', () =>
      submissions.saveDraft(owner, lifecycle, { values: full, expectedRevision: 4 }),
    );
    await inStep('resubmit', () =>
      submissions.submit(owner, lifecycle, { expectedRevision: 5, explanations: {} }),
    );
    await inStep('accept', () => submissions.accept(province, lifecycle, { expectedRevision: 6 }));
    const reopened = await inStep('reopen', () =>
      submissions.reopen(admin, lifecycle, { message: '重新打开。', expectedRevision: 7 }),
    );
    expect(reopened).toMatchObject({ status: 'returned', revision: 8 });
    expect(await storedRevisions(LIB.lifecycle)).toHaveLength(8);
  });

  it('a commit that would overwrite an existing revision is refused whole', async () => {
    const head = await store.getHead(lifecycle);
    if (!head) throw new Error('no head');
    const existing = await store.getRevision(lifecycle, 3);
    if (!existing) throw new Error('no revision 3');
    const forged = { ...existing, values: { holdingsTotal: 666 }, action: 'save' as const };
    // The head's own condition holds (revision 8 is current): only the revision's stops it.
    await expect(
      inStep('forged commit', () =>
        store.commit(
          { ...head, revision: 9, values: { holdingsTotal: 666 } },
          forged,
          head.revision,
        ),
      ),
    ).rejects.toBeInstanceOf(RevisionConflictError);
    expect(await store.getRevision(lifecycle, 3)).toEqual(existing);
    expect((await store.getHead(lifecycle))?.revision).toBe(8);
  });

  it('ten saves racing on one revision: one wins, nothing is overwritten', async () => {
    const key = reportKey(LIB.race);
    const racer = library(LIB.race);
    await inStep('race setup', () =>
      submissions.saveDraft(racer, key, { values: { holdingsTotal: 10 }, expectedRevision: 0 }),
    );
    const results = await inStep('race', () =>
      Promise.allSettled(
        Array.from({ length: 10 }, (_, index) =>
          submissions.saveDraft(racer, key, {
            values: { holdingsTotal: 100 + index },
            expectedRevision: 1,
          }),
        ),
      ),
    );
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    for (const result of results.filter((r) => r.status === 'rejected')) {
      expect((result as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError);
    }
    expect(await storedRevisions(LIB.race)).toHaveLength(2);
  });

  it('evidence: presign, verify, reject, delete', async () => {
    const key = reportKey(LIB.evidence);
    const owner = library(LIB.evidence);
    await inStep('evidence report', () =>
      submissions.saveDraft(owner, key, { values: full, expectedRevision: 0 }),
    );
    const png = await inStep('presign', () =>
      evidence.presign(owner, key, { fileName: '外景.png', contentType: 'image/png', size: 1024 }),
    );
    await upload(png.upload.fields.key ?? '', PNG);
    const verified = await inStep('verify', () =>
      evidence.complete(owner, { ...key, evidenceId: png.evidence.evidenceId }),
    );
    expect(verified.status).toBe('verified');

    const fake = await inStep('presign (not a PNG)', () =>
      evidence.presign(owner, key, { fileName: '假.png', contentType: 'image/png', size: 1024 }),
    );
    await upload(fake.upload.fields.key ?? '', Buffer.from('not a picture at all'));
    const rejected = await inStep('reject', () =>
      evidence.complete(owner, { ...key, evidenceId: fake.evidence.evidenceId }),
    );
    expect(rejected.status).toBe('rejected');

    await inStep('delete', () =>
      evidence.delete(owner, { ...key, evidenceId: png.evidence.evidenceId }),
    );
    expect((await evidence.list(owner, key)).map((item) => item.status)).toEqual(['rejected']);

    // A decision that checks the report in its write is refused once the report is submitted.
    const late = await inStep('presign (late)', () =>
      evidence.presign(owner, key, { fileName: '晚.png', contentType: 'image/png', size: 1024 }),
    );
    await inStep('submit (evidence)', () =>
      submissions.submit(owner, key, { expectedRevision: 1, explanations: {} }),
    );
    const lateKey = { ...key, evidenceId: late.evidence.evidenceId };
    const decide = (reportIn: readonly SubmissionStatus[]) =>
      inStep('verify (report checked)', () =>
        evidenceStore.transition(lateKey, ['pending'], { status: 'verified' }, reportIn),
      );
    expect(await decide(['draft', 'returned'])).toBe(false);
    expect((await evidenceStore.get(lateKey))?.status).toBe('pending');
    expect(await decide(['submitted'])).toBe(true);
    expect((await evidenceStore.get(lateKey))?.status).toBe('verified');
  });

  it('rollup runs: queued, running, succeeded', async () => {
    const run = await inStep('rollup start', () => rollups.start(province, FORM, PERIOD));
    const request = launched.find((candidate) => candidate.runId === run.runId);
    if (!request) throw new Error('the run was not launched');
    const finished = await inStep('rollup run', () => rollups.execute(request));
    expect(finished.status).toBe('succeeded');
    // Delivered again, as Lambda may: the succeeded run is returned and nothing is written.
    const callsBefore = calls.length;
    expect(await inStep('rollup redelivered', () => rollups.execute(request))).toEqual(finished);
    expect(calls.slice(callsBefore).flatMap(itemWrites)).toEqual([]);
  });

  it('rollup runs: two workers taking one run at once, only one runs it', async () => {
    const run = await inStep('rollup start (race)', () => rollups.start(province, FORM, PERIOD));
    const request = launched.find((candidate) => candidate.runId === run.runId);
    if (!request) throw new Error('the run was not launched');
    const outcomes = await inStep('rollup race', () =>
      Promise.allSettled([rollups.execute(request), rollups.execute(request)]),
    );
    // The loser either lost the take or found the run already running: it did no work.
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).not.toHaveLength(0);
    const runs = new DynamoDbRollupRunStore(documents, table);
    const stored = await runs.get(FORM, PERIOD, run.runId);
    expect(stored).toMatchObject({ status: 'succeeded', attempt: 1 });
    // A take over the state read before the winner's is refused by the table, writing nothing.
    if (!stored) throw new Error('the run was not stored');
    const stale = { ...stored, status: 'running' as const, attempt: 1 };
    expect(await inStep('rollup stale take', () => runs.replace(stale, { status: 'queued' }))).toBe(
      false,
    );
    expect(await runs.get(FORM, PERIOD, run.runId)).toEqual(stored);
  });

  it('the registry: rewriting this test’s libraries as they are', async () => {
    const registry = (await readRegistryFile()).libraries.filter((entry) =>
      (Object.values(LIB) as string[]).includes(entry.libraryId),
    );
    expect(registry).toHaveLength(3);
    await inStep('registry', () => libraries.putLibraries(registry));
  });

  it('idempotency records: a first save, its replay, and a failed save', async () => {
    const persistenceStore = new DynamoDbIdempotencyStore(documents, {
      tableName: table,
      keyAttr: mainTable.partitionKey.name,
      sortKeyAttr: mainTable.sortKey.name,
      expiryAttr: mainTable.timeToLiveAttribute,
    });
    const config = new IdempotencyConfig(IDEMPOTENCY_CONFIG_OPTIONS);
    const key = reportKey(LIB.race);
    const racer = library(LIB.race);
    const handler = middy(async (event: ApiEvent): Promise<ApiResult> => {
      const { view } = await submissions.saveDraft(racer, key, readJsonBody(event, SaveDraftBody));
      return { statusCode: 200, body: JSON.stringify({ revision: view.revision }) };
    }).use(makeHandlerIdempotent({ persistenceStore, config }));
    const event = (idempotencyKey: string, body: unknown) =>
      ({
        version: '2.0',
        routeKey: 'PUT /api/libraries/{libraryId}/submissions/{formId}/{period}',
        rawPath: `/api/libraries/${LIB.race}/submissions/${FORM}/${PERIOD}`,
        rawQueryString: '',
        headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
        requestContext: { authorizer: { jwt: { claims: { sub: racer.subject } } } },
        body: JSON.stringify(body),
        isBase64Encoded: false,
      }) as unknown as ApiEvent;
    const context = (): Context => createLambdaContext('data-safety-save-submission');
    const current = (await store.getHead(key))?.revision ?? 0;
    const body = { values: { holdingsTotal: 4242 }, expectedRevision: current };
    const idempotencyKey = `data-safety-${Date.now()}`;

    const first = await inStep('idempotent save', () =>
      handler(event(idempotencyKey, body), context()),
    );
    const replay = await inStep('idempotent replay', () =>
      handler(event(idempotencyKey, body), context()),
    );
    expect(replay).toEqual(first);
    await expect(
      inStep('idempotent failure', () =>
        handler(
          event(`${idempotencyKey}-stale`, { ...body, expectedRevision: current }),
          context(),
        ),
      ),
    ).rejects.toBeInstanceOf(ConflictError);
    expect(await storedRevisions(LIB.race)).toHaveLength(current + 1);
  });
});

// ---------------------------------------------------------------------------------------------
// What the recorded calls show.

describe('what the recorded calls show', () => {
  const writes = () => calls.flatMap(itemWrites);

  it('every step wrote through the recording client (the check below is not vacuous)', () => {
    const steps = new Set(writes().map((write) => write.step));
    for (const expected of [
      'period window',
      'lock exception',
      'save (create)',
      'save',
      'submit',
      'return',
      'save (returned)',
      'resubmit',
      'accept',
      'reopen',
      'forged commit',
      'race',
      'presign',
      'verify',
      'reject',
      'delete',
      'rollup start',
      'rollup run',
      'rollup race',
      'rollup stale take',
      'registry',
      'idempotent save',
      'idempotent failure',
    ]) {
      expect(steps.has(expected) ? expected : `no write in step "${expected}"`).toBe(expected);
    }
    const commands = new Set(calls.map((call) => call.command));
    for (const command of [
      'TransactWriteItems',
      'PutItem',
      'UpdateItem',
      'DeleteItem',
      'BatchWriteItem',
    ] as const) {
      expect(commands.has(command) ? command : `never saw ${command}`).toBe(command);
    }
  });

  it('no call updated or deleted a revision, or put one that could overwrite', () => {
    const offending = writes()
      .filter(isRevisionItem)
      .filter((write) => write.kind !== 'Put' || !CREATE_ONLY.test((write.condition ?? '').trim()))
      .map(
        (write) =>
          `${write.step}: ${write.via} ${write.kind} ${write.PK} ${write.SK} if ${write.condition}`,
      );
    expect(offending).toEqual([]);
    const revisionPuts = writes().filter(isRevisionItem);
    // 8 lifecycle, 1 forged, race setup and winner, 1 evidence report, 1 idempotent: at least.
    // A racer that reads the head after the winner committed is refused before it writes.
    expect(revisionPuts.length).toBeGreaterThanOrEqual(13);
  });

  it('every revision reads back exactly as one put wrote it (the one that won)', async () => {
    for (const libraryId of Object.values(LIB)) {
      const revisions = await storedRevisions(libraryId);
      expect(revisions.length).toBeGreaterThan(0);
      for (const stored of revisions) {
        const id = `${stored.PK} ${stored.SK}`;
        // A lost race attempts the same revision too, with other values: one attempt must match.
        const attempts = writes().filter(
          (write) => isRevisionItem(write) && `${write.PK} ${write.SK}` === id && write.item,
        );
        expect(attempts.length > 0 ? 'recorded' : `${id} was written by no recorded call`).toBe(
          'recorded',
        );
        expect(
          attempts.some((attempt) => canonical(attempt.item) === canonical(stored))
            ? 'as written'
            : `${id} differs from every put of it: ${canonical(stored)}`,
        ).toBe('as written');
      }
    }
  });

  it('a rollup run is created with a plain put and then only put over the state that was read', () => {
    const runWrites = writes().filter((write) => write.PK.startsWith(ROLLUP_RUN_PARTITION_PREFIX));
    const created = new Set<string>();
    const offending: string[] = [];
    for (const write of runWrites) {
      const id = `${write.PK} ${write.SK}`;
      const expected = created.has(id)
        ? /^#status = :status AND (#attempt = :attempt|attribute_not_exists\(#attempt\))$/
        : undefined;
      created.add(id);
      const conditionOk = expected ? expected.test(write.condition ?? '') : !write.condition;
      if (write.kind !== 'Put' || !conditionOk) {
        offending.push(`${write.step}: ${write.via} ${write.kind} ${id} if ${write.condition}`);
      }
    }
    expect(offending).toEqual([]);
    // Two runs: each created, taken and ended; the race's losing take is among them when it
    // got as far as writing.
    expect(created.size).toBe(2);
    expect(runWrites.length).toBeGreaterThanOrEqual(6);
  });

  it('every write of a head is conditioned on the revision it replaces', () => {
    const heads = writes().filter(
      (write) => write.PK.startsWith('LIB#') && write.SK.startsWith('HEAD#'),
    );
    expect(heads.length).toBeGreaterThan(0);
    for (const head of heads) {
      expect(head.condition).toMatch(/^(attribute_not_exists\(PK\)|#revision = :expected)$/);
    }
  });
});
