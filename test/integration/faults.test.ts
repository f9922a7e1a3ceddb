/**
 * Fault injection against a local stack of this file's own (fault-stack.ts), so the shared
 * stack is never disturbed: DynamoDB Local hung (SIGSTOP) or killed (SIGKILL, then restarted on
 * its data) in the middle of a run of writers, S3 reset or stalled (a proxy in front of
 * s3rver) during evidence presign and verification and in the middle of a rollup, and
 * transaction conflicts injected by an HTTP stand-in in front of DynamoDB Local. Under every
 * fault: answers are 503
 * problem+json within the timeouts (never a 500, never a hang), nothing acknowledged is lost
 * and no report is left half-written. Each describe records its figures.
 */
import { randomUUID } from 'node:crypto';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createApiDocumentClient } from '../../adapters/dynamodb/client.js';
import { DynamoDbLibraryStore } from '../../adapters/dynamodb/library-store.js';
import { DynamoDbPeriodStore } from '../../adapters/dynamodb/period-store.js';
import { DynamoDbRollupRunStore } from '../../adapters/dynamodb/rollup-run-store.js';
import { DynamoDbSubmissionStore } from '../../adapters/dynamodb/submission-store.js';
import { CONFLICT_RETRIES } from '../../adapters/dynamodb/transactions.js';
import { formRegistry } from '../../adapters/form-catalog.js';
import type { Principal } from '../../domain/auth/principal.js';
import { ConflictError, DependencyUnavailableError } from '../../domain/errors.js';
import { wuxiangReport2025 } from '../../domain/forms/fixtures.js';
import { PeriodService } from '../../domain/periods/service.js';
import type { RollupRun } from '../../domain/rollup/model.js';
import { SubmissionService } from '../../domain/submissions/service.js';
import { pngImage } from '../fixtures/png.js';
import type { FaultStack } from './fault-stack.js';
import { startFaultStack } from './fault-stack.js';
import { type UploadTicket, uploadTo } from './presigned-upload.js';
import { recordFigures } from './reliability-figures.js';

const FORM = 'county-annual-report';
/** A period of the fault stack alone, opened by the administrator in beforeAll. */
const PERIOD = '2048';
/**
 * The correctness bound on any answer under a fault: the handlers' SDK budgets (3 attempts of
 * 2.5 s) and the functions' 10 s timeout are far below it; only a hang would reach it.
 */
const ANSWER_WITHIN_MS = 30_000;

let fault: FaultStack;
let admin: string;
let province: string;

beforeAll(async () => {
  fault = await startFaultStack();
  admin = await fault.tokenFor('admin');
  province = await fault.tokenFor('province');
  const now = Date.now();
  const opened = await fault.api(`/api/periods/${FORM}/${PERIOD}`, {
    method: 'PUT',
    token: admin,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      opensAt: new Date(now - 86_400_000).toISOString(),
      dueAt: new Date(now + 30 * 86_400_000).toISOString(),
      locksAt: new Date(now + 60 * 86_400_000).toISOString(),
    }),
  });
  expect(opened.status).toBe(200);
}, 120_000);

afterAll(async () => {
  await fault?.stop();
}, 90_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const waitFor = async (what: string, condition: () => boolean | Promise<boolean>, ms = 60_000) => {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
};

const submissionPath = (libraryId: string) =>
  `/api/libraries/${libraryId}/submissions/${FORM}/${PERIOD}`;

interface Answer {
  path: string;
  status: number;
  ms: number;
  contentType: string;
  body: Record<string, unknown> | undefined;
}

/** Every request of one suite, timed, with what makes an answer acceptable under a fault. */
class Ledger {
  readonly answers: Answer[] = [];
  lostWrites = 0;

  async request(path: string, init: RequestInit & { token?: string } = {}): Promise<Answer> {
    const started = performance.now();
    let response: Response;
    try {
      // Far beyond the bound: only a real hang gets here, and it must not hang the test.
      response = await fault.api(path, {
        ...init,
        signal: AbortSignal.timeout(ANSWER_WITHIN_MS + 30_000),
      });
    } catch (error) {
      const answer = { path, status: 0, ms: performance.now() - started, contentType: '' };
      this.answers.push({ ...answer, body: { error: String(error) } });
      throw new Error(`no answer to ${path}: ${String(error)}`);
    }
    const text = await response.text();
    let body: Record<string, unknown> | undefined;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      body = undefined;
    }
    const answer: Answer = {
      path,
      status: response.status,
      ms: performance.now() - started,
      contentType: response.headers.get('content-type') ?? '',
      body,
    };
    this.answers.push(answer);
    return answer;
  }

  json(path: string, method: string, token: string, body: unknown) {
    return this.request(path, {
      method,
      token,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  /** 503 problem+json of an unavailable dependency: the one 5xx a fault may cause. */
  static isUnavailable(answer: Answer) {
    return (
      answer.status === 503 &&
      answer.contentType.startsWith('application/problem+json') &&
      answer.body?.type === '/problems/dependency-unavailable' &&
      answer.body?.status === 503
    );
  }

  get unexpectedServerErrors() {
    return this.answers.filter(
      (answer) => answer.status === 0 || (answer.status >= 500 && !Ledger.isUnavailable(answer)),
    );
  }

  get slowest() {
    return Math.max(0, ...this.answers.map((answer) => answer.ms));
  }

  expectSound() {
    expect(this.unexpectedServerErrors).toEqual([]);
    expect(this.slowest).toBeLessThan(ANSWER_WITHIN_MS);
  }

  record(suite: string) {
    recordFigures({
      suite,
      requests: this.answers.length,
      unexpectedServerErrors: this.unexpectedServerErrors.length,
      lostWrites: this.lostWrites,
      // No leaks figure: one library per writer, each reading only its own reports.
    });
  }
}

const expectUnavailable = (answer: Answer) => {
  expect({ status: answer.status, contentType: answer.contentType, body: answer.body }).toEqual({
    status: 503,
    contentType: expect.stringMatching(/^application\/problem\+json/),
    body: expect.objectContaining({
      type: '/problems/dependency-unavailable',
      status: 503,
      message: expect.objectContaining({ zh: expect.any(String), en: expect.any(String) }),
    }),
  });
  expect(answer.ms).toBeLessThan(ANSWER_WITHIN_MS);
};

// ---------------------------------------------------------------------------------------------
// What the table holds, read past the handlers

interface StoredHead {
  revision: number;
  values: Record<string, unknown>;
  status: string;
}
interface StoredRevision {
  revision: number;
  values: Record<string, unknown>;
  status: string;
}

const queryAll = async (pk: string, prefix: string) => {
  const items: Record<string, unknown>[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await fault.documents.send('Query', {
      TableName: fault.tableName,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
      ConsistentRead: true,
      ExclusiveStartKey,
    });
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
};

/** Values as canonical JSON (keys sorted): DynamoDB does not keep the order of a map's keys. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => a.localeCompare(b)))
      : inner,
  );

/**
 * A report is whole when its head and its revisions agree: revisions 1…head.revision, each
 * once, none beyond the head (an orphan of a half-applied save), the head equal to its latest
 * revision; no head means no revisions either. Returns what is wrong, per library.
 */
const auditReports = async (libraryIds: readonly string[]) => {
  const problems: string[] = [];
  const reports = new Map<string, { head?: StoredHead; revisions: StoredRevision[] }>();
  for (const libraryId of libraryIds) {
    const [heads, revisions] = await Promise.all([
      queryAll(`LIB#${libraryId}`, `HEAD#${FORM}#${PERIOD}`),
      queryAll(`LIB#${libraryId}`, `REV#${FORM}#${PERIOD}#`),
    ]);
    const head = heads[0] as unknown as StoredHead | undefined;
    const stored = (revisions as unknown as StoredRevision[]).sort(
      (a, b) => a.revision - b.revision,
    );
    reports.set(libraryId, { ...(head ? { head } : {}), revisions: stored });
    const numbers = stored.map((revision) => revision.revision);
    const expected = Array.from({ length: head?.revision ?? 0 }, (_, index) => index + 1);
    if (canonical(numbers) !== canonical(expected)) {
      problems.push(`${libraryId}: head at ${head?.revision ?? 'none'}, revisions ${numbers}`);
    }
    const latest = stored[stored.length - 1];
    if (head && latest && canonical(head.values) !== canonical(latest.values)) {
      problems.push(`${libraryId}: head values differ from revision ${latest.revision}`);
    }
  }
  return { problems, reports };
};

// ---------------------------------------------------------------------------------------------
// Writers: libraries saving drafts in a loop, through whatever fault there is

interface Acknowledged {
  libraryId: string;
  revision: number;
  values: Record<string, unknown>;
  /** Date.now() when the 200/201 arrived. */
  at: number;
}

/**
 * DynamoDB Local answers a transaction before it is safely on disk: killed with SIGKILL under
 * concurrent writes, it may come back without a transaction it acknowledged moments before
 * (scratch probe, 6 concurrent writers, 6 kills: 1 of 415 acknowledged transactions lost, the
 * 11th of a writer's 12; straight TransactWriteItems, no application code). DynamoDB itself
 * acknowledges only durable writes. So an acknowledged save that is missing after a kill counts
 * as the emulator's loss only if it was acknowledged this shortly before the kill; any older
 * one is ours and fails the audit.
 */
const EMULATOR_UNSAFE_MS = 1_000;

class WriterRun {
  readonly ledger = new Ledger();
  readonly acknowledged: Acknowledged[] = [];
  readonly refused: string[] = [];
  private stopped = false;
  private readonly done: Promise<void>[] = [];

  constructor(readonly libraryIds: readonly string[]) {}

  acksOf(libraryId: string) {
    return this.acknowledged.filter((ack) => ack.libraryId === libraryId).length;
  }

  /** Waits until every writer has `count` more acknowledged saves than it has now. */
  async progress(count: number, ms = 90_000) {
    const before = new Map(this.libraryIds.map((id) => [id, this.acksOf(id)]));
    await waitFor(
      `${count} more saves of every writer`,
      () => this.libraryIds.every((id) => this.acksOf(id) >= (before.get(id) ?? 0) + count),
      ms,
    );
  }

  start() {
    for (const libraryId of this.libraryIds) this.done.push(this.write(libraryId));
  }

  async stop() {
    this.stopped = true;
    await Promise.all(this.done);
  }

  /** The head's revision (0 before the first save), asking again while storage is down. */
  private async currentRevision(libraryId: string, token: string): Promise<number> {
    for (;;) {
      const answer = await this.ledger.request(submissionPath(libraryId), { token });
      if (answer.status === 200) return Number(answer.body?.revision);
      if (answer.status === 404) return 0;
      if (!Ledger.isUnavailable(answer)) {
        throw new Error(`GET ${libraryId}: ${answer.status} ${JSON.stringify(answer.body)}`);
      }
      await sleep(200);
    }
  }

  private async write(libraryId: string) {
    const token = await fault.tokenFor('library', libraryId);
    try {
      let expected = await this.currentRevision(libraryId, token);
      for (let step = 0; !this.stopped; step += 1) {
        const values = { holdingsTotal: 100_000 + step, visits: step, trainings: expected };
        const answer = await this.ledger.json(submissionPath(libraryId), 'PUT', token, {
          values,
          expectedRevision: expected,
        });
        if (answer.status === 200 || answer.status === 201) {
          expected = Number(answer.body?.revision);
          this.acknowledged.push({ libraryId, revision: expected, values, at: Date.now() });
        } else if (answer.status === 409 || Ledger.isUnavailable(answer)) {
          // Unavailable or stale (a save answered 503 may still have been applied): reload.
          await sleep(100);
          expected = await this.currentRevision(libraryId, token);
        } else {
          throw new Error(`PUT ${libraryId}: ${answer.status} ${JSON.stringify(answer.body)}`);
        }
      }
    } catch (error) {
      this.refused.push(String(error));
    }
  }

  /**
   * After the run: every acknowledged save is its revision, and every report is whole. With
   * `killedAt`, a save acknowledged just before DynamoDB Local was killed (at most
   * EMULATOR_UNSAFE_MS before the signal was sent, or while it was dying) may be missing;
   * those are counted in `emulatorLosses`, not as problems.
   */
  async audit(killedAt?: { sent: number; done: number }) {
    const { problems, reports } = await auditReports(this.libraryIds);
    for (const ack of this.acknowledged) {
      const stored = reports
        .get(ack.libraryId)
        ?.revisions.find((revision) => revision.revision === ack.revision);
      if (stored && canonical(stored.values) === canonical(ack.values)) continue;
      if (
        killedAt !== undefined &&
        ack.at <= killedAt.done &&
        ack.at > killedAt.sent - EMULATOR_UNSAFE_MS
      ) {
        this.emulatorLosses += 1;
        continue;
      }
      this.ledger.lostWrites += 1;
      problems.push(`${ack.libraryId}: acknowledged revision ${ack.revision} is not stored`);
    }
    return problems;
  }

  /** Saves DynamoDB Local dropped although it had acknowledged them (see EMULATOR_UNSAFE_MS). */
  emulatorLosses = 0;
}

// ---------------------------------------------------------------------------------------------

describe('transaction conflicts injected in front of DynamoDB Local', () => {
  const LIB = '140181';
  const principal: Principal = { subject: 'fault-test', role: 'library', libraryId: LIB };
  const key = { libraryId: LIB, formId: FORM, period: PERIOD };
  const figures = { requests: 0, unexpected: 0, lost: 0 };
  const closers: (() => Promise<void>)[] = [];

  type Fault = 'conflict' | 'throttle' | 'lost-answer' | 'none';

  const readBody = async (message: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const chunk of message) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  };

  /**
   * An HTTP stand-in in front of DynamoDB Local that decides the fate of each TransactWriteItems
   * attempt and passes every other call on. DynamoDB Local never raises TransactionConflict, so
   * a cancellation is answered here as DynamoDB answers it (400, TransactionCanceledException
   * with a reason per item); a lost answer is a transaction passed on whose answer's connection
   * is then cut.
   */
  const transactionFaults = async (plan: (attempt: number) => Fault) => {
    const upstream = new URL(fault.dynamoDbEndpoint);
    const seen = { attempts: 0, tokens: new Set<string>() };
    const play = async (request: IncomingMessage, response: ServerResponse) => {
      const body = await readBody(request);
      const isTransaction = String(request.headers['x-amz-target']).endsWith('.TransactWriteItems');
      let fate: Fault = 'none';
      if (isTransaction) {
        seen.attempts += 1;
        fate = plan(seen.attempts);
        seen.tokens.add(
          String(
            (JSON.parse(body.toString()) as { ClientRequestToken?: string }).ClientRequestToken,
          ),
        );
      }
      if (fate === 'conflict' || fate === 'throttle') {
        const code = fate === 'conflict' ? 'TransactionConflict' : 'ThrottlingError';
        response.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' }).end(
          JSON.stringify({
            __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
            message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${code}, None]`,
            CancellationReasons: [{ Code: code }, { Code: 'None' }],
          }),
        );
        return;
      }
      const passed = httpRequest({
        host: upstream.hostname,
        port: upstream.port,
        method: request.method,
        path: request.url,
        headers: request.headers,
      });
      passed.end(body);
      const answer = await new Promise<IncomingMessage>((resolve, reject) => {
        passed.once('response', resolve).once('error', reject);
      });
      const answerBody = await readBody(answer);
      // The write reached DynamoDB, its answer is lost: the client retries the same request.
      if (fate === 'lost-answer') return void request.socket.destroy();
      response.writeHead(answer.statusCode ?? 502, answer.headers).end(answerBody);
    };
    // DynamoDB Local unreachable: the client sees a lost connection, as it would.
    const server = createServer((request, response) => {
      play(request, response).catch(() => request.socket.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const client = createApiDocumentClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    closers.push(async () => {
      client.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });
    return { client, seen };
  };

  /** The submission service over DynamoDB Local, behind a stand-in playing `plan`. */
  const serviceWith = async (plan: (attempt: number) => Fault) => {
    const { client: documents, seen } = await transactionFaults(plan);
    const now = () => new Date();
    const service = new SubmissionService({
      store: new DynamoDbSubmissionStore(documents, fault.tableName),
      periods: new PeriodService({
        store: new DynamoDbPeriodStore(documents, fault.tableName),
        forms: formRegistry,
        libraries: new DynamoDbLibraryStore(documents, fault.tableName),
        now,
      }),
      forms: formRegistry,
      now,
    });
    return { service, seen };
  };

  const save = async (
    service: SubmissionService,
    values: Record<string, unknown>,
    expected: number,
  ) => {
    figures.requests += 1;
    try {
      return await service.saveDraft(principal, key, { values, expectedRevision: expected });
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      if (status === undefined || (status >= 500 && status !== 503)) figures.unexpected += 1;
      throw error;
    }
  };

  const stored = async () => (await auditReports([LIB])).reports.get(LIB);

  afterAll(async () => {
    await Promise.all(closers.map((close) => close()));
    recordFigures({
      suite: 'faults: transaction conflicts (stand-in)',
      requests: figures.requests,
      unexpectedServerErrors: figures.unexpected,
      lostWrites: figures.lost,
    });
  });

  it('retries a conflict transparently: the save succeeds and is written once', async () => {
    const { service, seen } = await serviceWith((attempt) => (attempt <= 2 ? 'conflict' : 'none'));
    const values = { holdingsTotal: 1 };
    const { created, view } = await save(service, values, 0);
    expect(created).toBe(true);
    expect(view.revision).toBe(1);
    expect(seen.attempts).toBe(3);
    const report = await stored();
    expect(report?.revisions.map((revision) => revision.revision)).toEqual([1]);
    if (canonical(report?.head?.values) !== canonical(values)) figures.lost += 1;
    expect(report?.head?.values).toEqual(values);
    expect((await auditReports([LIB])).problems).toEqual([]);
  });

  it('answers 409 when conflicts persist, and writes nothing', async () => {
    const { service, seen } = await serviceWith(() => 'conflict');
    const failed = save(service, { holdingsTotal: 2 }, 1);
    await expect(failed).rejects.toBeInstanceOf(ConflictError);
    await expect(failed).rejects.toMatchObject({ statusCode: 409 });
    expect(seen.attempts).toBe(CONFLICT_RETRIES + 1);
    const report = await stored();
    expect(report?.head?.revision).toBe(1);
    expect(report?.revisions).toHaveLength(1);
  });

  it('a throttled transaction is a retryable 503, and writes nothing', async () => {
    const { service } = await serviceWith(() => 'throttle');
    const failed = save(service, { holdingsTotal: 3 }, 1);
    await expect(failed).rejects.toBeInstanceOf(DependencyUnavailableError);
    await expect(failed).rejects.toMatchObject({ statusCode: 503 });
    expect((await stored())?.revisions).toHaveLength(1);
  });

  it('a save whose answer was lost is retried by the client and applied once', async () => {
    const { service, seen } = await serviceWith((attempt) =>
      attempt === 1 ? 'lost-answer' : 'none',
    );
    const values = { holdingsTotal: 4 };
    const { view } = await save(service, values, 1);
    expect(view.revision).toBe(2);
    // Two attempts of one request, one ClientRequestToken: DynamoDB applied it once.
    expect(seen.attempts).toBe(2);
    expect(seen.tokens.size).toBe(1);
    const report = await stored();
    expect(report?.revisions.map((revision) => revision.revision)).toEqual([1, 2]);
    if (canonical(report?.head?.values) !== canonical(values)) figures.lost += 1;
    expect((await auditReports([LIB])).problems).toEqual([]);
  });

  it('racing saves under conflicts: one wins, the rest 409, nothing lost or doubled', async () => {
    // Every other attempt conflicts: the racers' retries interleave with real conditions.
    const { service } = await serviceWith((attempt) => (attempt % 2 === 1 ? 'conflict' : 'none'));
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, index) => save(service, { holdingsTotal: 100 + index }, 2)),
    );
    const won = results.filter((result) => result.status === 'fulfilled');
    const lost = results.filter((result) => result.status === 'rejected');
    expect(won).toHaveLength(1);
    for (const result of lost) expect(result.reason).toBeInstanceOf(ConflictError);
    const winner = (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof save>>>).value;
    const report = await stored();
    expect(report?.revisions.map((revision) => revision.revision)).toEqual([1, 2, 3]);
    if (canonical(report?.head?.values) !== canonical(winner.view.values)) figures.lost += 1;
    expect(figures).toMatchObject({ unexpected: 0, lost: 0 });
  });
});

// ---------------------------------------------------------------------------------------------

describe('S3 down or hung during evidence presign and verification', () => {
  const LIB = '140429';
  const ledger = new Ledger();
  let token: string;
  const evidencePath = `${submissionPath(LIB)}/evidence`;

  const statusOf = async (evidenceId: string) => {
    const answer = await ledger.request(evidencePath, { token });
    expect(answer.status).toBe(200);
    const items = (answer.body?.items ?? []) as { evidenceId: string; status: string }[];
    return items.find((item) => item.evidenceId === evidenceId)?.status;
  };

  beforeAll(async () => {
    token = await fault.tokenFor('library', LIB);
    const created = await ledger.json(submissionPath(LIB), 'PUT', token, {
      values: { holdingsTotal: 1 },
      expectedRevision: 0,
    });
    expect(created.status).toBe(201);
  });
  afterAll(() => {
    fault.s3.setMode('pass');
    ledger.record('faults: S3 down during evidence');
  });

  it('presigns while S3 is down (signing is local), and the upload works once it is back', async () => {
    const bytes = pngImage({ note: randomUUID() });
    fault.s3.setMode('reset');
    const presigned = await ledger.json(evidencePath, 'POST', token, {
      fileName: '馆舍.png',
      contentType: 'image/png',
      size: bytes.length,
    });
    // No S3 request is needed to sign a POST policy: the ticket is valid, the item pending.
    expect(presigned.status).toBe(201);
    const { evidence, upload: ticket } = presigned.body as {
      evidence: { evidenceId: string; status: string };
      upload: UploadTicket;
    };
    expect(evidence.status).toBe('pending');
    await expect(uploadTo(ticket, bytes, 'photo.png')).rejects.toThrow();

    fault.s3.setMode('pass');
    await uploadTo(ticket, bytes, 'photo.png');
    const completed = await ledger.request(`${evidencePath}/${evidence.evidenceId}/complete`, {
      method: 'POST',
      token,
    });
    expect(completed.status).toBe(200);
    expect(completed.body).toMatchObject({ status: 'verified' });
    ledger.expectSound();
  });

  it('verification while S3 is down or hung: 503, the item stays pending; a retry verifies it', async () => {
    const bytes = pngImage({ note: randomUUID() });
    const presigned = await ledger.json(evidencePath, 'POST', token, {
      fileName: '活动.png',
      contentType: 'image/png',
      size: bytes.length,
    });
    expect(presigned.status).toBe(201);
    const { evidence, upload: ticket } = presigned.body as {
      evidence: { evidenceId: string };
      upload: UploadTicket;
    };
    await uploadTo(ticket, bytes, 'photo.png');
    const complete = () =>
      ledger.request(`${evidencePath}/${evidence.evidenceId}/complete`, { method: 'POST', token });

    for (const mode of ['reset', 'stall'] as const) {
      fault.s3.setMode(mode);
      const answer = await complete();
      expectUnavailable(answer);
      fault.s3.setMode('pass');
      // Listing pending evidence needs no S3 request; it stays pending.
      expect(await statusOf(evidence.evidenceId)).toBe('pending');
    }

    const retried = await complete();
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({
      status: 'verified',
      actualSize: bytes.length,
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(await statusOf(evidence.evidenceId)).toBe('verified');
    ledger.expectSound();
  }, 90_000);
});

// ---------------------------------------------------------------------------------------------

describe('S3 failing in the middle of a rollup', () => {
  const ledger = new Ledger();
  const rollupPath = `/api/rollups/${FORM}/${PERIOD}`;
  const latestKey = `rollups/${FORM}/${PERIOD}/latest.json`;
  const runs = () => new DynamoDbRollupRunStore(fault.documents, fault.tableName);

  const readObject = async (key: string) => {
    const object = await fault.directS3.send(
      new GetObjectCommand({ Bucket: fault.buckets.reports, Key: key }),
    );
    return object.Body?.transformToString('utf-8');
  };

  /** Starts a run and waits (reading its record past the API) until it is over. */
  const runToEnd = async (): Promise<RollupRun> => {
    const started = await ledger.request(rollupPath, { method: 'POST', token: province });
    expect(started.status).toBe(202);
    const runId = String(started.body?.runId);
    let run: RollupRun | undefined;
    await waitFor('the rollup run to end', async () => {
      run = await runs().get(FORM, PERIOD, runId);
      return run?.status === 'succeeded' || run?.status === 'failed';
    });
    return run as RollupRun;
  };

  beforeAll(async () => {
    // Two counted reports, so that the files have rows of their own.
    for (const libraryId of ['140521', '140522']) {
      const token = await fault.tokenFor('library', libraryId);
      const saved = await ledger.json(submissionPath(libraryId), 'PUT', token, {
        values: wuxiangReport2025(),
        expectedRevision: 0,
      });
      expect(saved.status).toBe(201);
      const submitted = await ledger.json(`${submissionPath(libraryId)}/submit`, 'POST', token, {
        expectedRevision: 1,
      });
      expect(submitted.status).toBe(200);
    }
  });
  afterAll(() => {
    fault.s3.setMode('pass');
    fault.s3.cutWhen(undefined);
    ledger.record('faults: S3 down in the middle of a rollup');
  });

  it('marks the run failed and leaves the previous latest untouched; the next run publishes', async () => {
    const first = await runToEnd();
    expect(first.status).toBe('succeeded');
    const latestBefore = await readObject(latestKey);
    expect(JSON.parse(latestBefore ?? '{}')).toMatchObject({ runId: first.runId });

    // S3 goes away at the second object PUT of the next run: its first file is written.
    let puts = 0;
    const runPut = new RegExp(`^PUT /${fault.buckets.reports}/rollups/${FORM}/${PERIOD}/runs/`);
    fault.s3.cutWhen((line) => runPut.test(line) && ++puts === 2);
    const second = await runToEnd();
    expect(second.status).toBe('failed');
    expect(second.error).toMatch(/DependencyUnavailableError/);
    expect(fault.s3.mode).toBe('reset');
    // While S3 is down, the status route cannot read `latest`: 503, not 500.
    expectUnavailable(await ledger.request(rollupPath, { token: province }));

    fault.s3.setMode('pass');
    expect(await readObject(latestKey)).toBe(latestBefore);
    const written = await fault.directS3.send(
      new ListObjectsV2Command({ Bucket: fault.buckets.reports, Prefix: `${second.prefix}/` }),
    );
    const names = (written.Contents ?? []).map((object) =>
      object.Key?.slice(second.prefix.length + 1),
    );
    expect(names).toHaveLength(1);
    expect(names).not.toContain('manifest.json');

    const status = await ledger.request(rollupPath, { token: province });
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({
      latestRun: { runId: second.runId, status: 'failed' },
      published: { runId: first.runId, prefix: first.prefix },
    });

    const third = await runToEnd();
    expect(third.status).toBe('succeeded');
    const after = await ledger.request(rollupPath, { token: province });
    expect(after.body).toMatchObject({ published: { runId: third.runId } });
    ledger.expectSound();
  }, 120_000);
});

// ---------------------------------------------------------------------------------------------

describe('DynamoDB Local hung in the middle of a run (SIGSTOP, then SIGCONT)', () => {
  const run = new WriterRun(['140105', '140106', '140107', '140108', '140109', '140110']);
  afterAll(() => run.ledger.record('faults: DynamoDB hung mid-run'));

  it('answers 503 within the timeouts, never hangs; afterwards nothing is lost or partial', async () => {
    run.start();
    await run.progress(2);
    fault.freezeDynamoDb();
    const frozenAt = run.ledger.answers.length;
    let health: Answer | undefined;
    try {
      health = await run.ledger.request('/api/health');
      // Long enough for every writer to meet the hang and get its answer.
      await waitFor(
        'answers during the hang',
        () => run.ledger.answers.slice(frozenAt).filter(Ledger.isUnavailable).length >= 6,
      );
    } finally {
      fault.thawDynamoDb();
    }
    expectUnavailable(health);
    await run.progress(2);
    await run.stop();

    expect(run.refused).toEqual([]);
    run.ledger.expectSound();
    expect(await run.audit()).toEqual([]);
    expect(run.ledger.lostWrites).toBe(0);
  }, 180_000);
});

describe('DynamoDB Local killed in the middle of a run (SIGKILL), restarted on its data', () => {
  const run = new WriterRun(['141102', '141121', '141122', '141123', '141124', '141125']);
  afterAll(() => run.ledger.record('faults: DynamoDB killed mid-run'));

  it('answers 503 at once; after the restart every acknowledged save is there, none partial', async () => {
    run.start();
    await run.progress(3);
    // The kill is sent at the first time and done (the process gone) by the second.
    const killedAt = { sent: Date.now(), done: 0 };
    await fault.killDynamoDb();
    killedAt.done = Date.now();
    const answersBeforeKill = run.ledger.answers.length;
    await waitFor(
      'answers while DynamoDB Local is down',
      () => run.ledger.answers.slice(answersBeforeKill).filter(Ledger.isUnavailable).length >= 6,
    );
    expectUnavailable(await run.ledger.request('/api/health'));
    await fault.restartDynamoDb();
    await run.progress(2);
    await run.stop();

    expect(run.refused).toEqual([]);
    run.ledger.expectSound();
    expect(await run.audit(killedAt)).toEqual([]);
    expect(run.ledger.lostWrites).toBe(0);
    // A handful at most: the ones in flight around the kill.
    expect(run.emulatorLosses).toBeLessThanOrEqual(run.libraryIds.length);
    const health = await run.ledger.request('/api/health');
    expect(health.status).toBe(200);
  }, 180_000);
});
