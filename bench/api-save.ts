/**
 * What the API adds to a draft save: N full-report saves through the local HTTP API (16
 * concurrent clients, the real handler: JWT check, validation, its reads, the transaction)
 * against the time for N raw TransactWriteItems of the same items (the head and revision a
 * save writes, copied from saves the API made, with the same conditions), straight to the same
 * DynamoDB Local, in the same run. A last pass sends an Idempotency-Key with every save, as the
 * web app's autosave does, so the table also shows what Powertools idempotency's two extra
 * writes cost.
 *
 * An untimed pass of the same number of saves, on periods of its own, comes first: DynamoDB
 * Local is a JVM whose JIT compiles its request paths over the first few hundred requests (as
 * V8 does ours), and without the warm-up the first timed pass paid for all of it. The timed
 * saves and raw writes then run in rounds of one period each, alternating which goes first, so
 * a burst of load from elsewhere on a shared machine falls on both alike.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { DynamoDBClient, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { headIndexKeys, revisionKeys, submissionKeys } from '../adapters/dynamodb/keys.js';
import { readRegistryFile } from '../adapters/registry-file.js';
import { wuxiangReport2025 } from '../domain/forms/fixtures.js';
import { loadOrCreateSigningKey, signDevToken } from '../local/jwt.js';
import { readLocalSettings } from '../local/settings.js';
import { startLocalStack } from '../local/stack.js';
import { inParallel } from '../local/tools.js';
import { runBenchChild } from './child.js';

const FORM_ID = 'county-annual-report';
export const CONCURRENT_SAVERS = 16;
/** Periods of their own, far from any real one, with a window the benchmark opens. */
const FIRST_PERIOD = 2070;

export interface ApiSaveResult {
  saves: number;
  apiSeconds: number;
  rawSeconds: number;
  apiSaveOverheadRatio: number;
  /** The same saves with an Idempotency-Key each. */
  idempotentApiSeconds: number;
}

/** Longer than any save takes; a request that hangs fails the run instead of the benchmark. */
const REQUEST_TIMEOUT_MS = 30_000;

/**
 * One PUT as a browser sends it: on a kept-alive connection, accepting compressed answers and
 * inflating them. Through `node:http`, as the raw writes go through the SDK's `node:http`
 * handler, so both sides pay the same for their client; `fetch` (undici, web streams) cost
 * the API side about 2.5 ms more of the shared CPU per save.
 */
const put = (agent: Agent, url: string, headers: Record<string, string>, body: string) =>
  new Promise<{ status: number; text: string }>((resolve, reject) => {
    const outgoing = request(
      url,
      {
        method: 'PUT',
        agent,
        headers: {
          ...headers,
          'accept-encoding': 'br, gzip',
          'content-length': String(Buffer.byteLength(body)),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          try {
            const received = Buffer.concat(chunks);
            const coding = response.headers['content-encoding'];
            const inflated =
              coding === 'br'
                ? brotliDecompressSync(received)
                : coding === 'gzip'
                  ? gunzipSync(received)
                  : received;
            resolve({ status: response.statusCode ?? 0, text: inflated.toString('utf8') });
          } catch (error) {
            reject(error);
          }
        });
      },
    );
    outgoing.setTimeout(REQUEST_TIMEOUT_MS, () =>
      outgoing.destroy(new Error(`PUT ${url}: no answer in ${REQUEST_TIMEOUT_MS} ms`)),
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });

export const benchApiSave = async (options: {
  periods: number;
  log?: (line: string) => void;
}): Promise<ApiSaveResult> => {
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-api-'));
  const stack = await startLocalStack(
    readLocalSettings({ PORT: '0', DATA_DIR: dataDir, DEMO: '0', ROLLUP_AT: 'off' }),
  );
  const client = new DynamoDBClient({
    endpoint: stack.dynamoDbEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const documents = DynamoDBDocumentClient.from(client);
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENT_SAVERS });
  try {
    const { libraries } = await readRegistryFile();
    const key = await loadOrCreateSigningKey(dataDir);
    const admin = await signDevToken(key, { role: 'admin' });
    // Per round, periods of its own for the untimed warm-up saves, the timed saves, the raw
    // copies of the warm-up's items and the saves with an Idempotency-Key.
    const periodOf = (set: number, round: number) =>
      String(FIRST_PERIOD + set * options.periods + round);
    const rounds = Array.from({ length: options.periods }, (_, round) => ({
      warmUp: periodOf(0, round),
      api: periodOf(1, round),
      raw: periodOf(2, round),
      idempotent: periodOf(3, round),
    }));
    const now = Date.now();
    for (const period of rounds.flatMap((round) => [round.warmUp, round.api, round.idempotent])) {
      const response = await put(
        agent,
        `${stack.apiUrl}/api/periods/${FORM_ID}/${period}`,
        { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        JSON.stringify({
          opensAt: new Date(now - 86_400_000).toISOString(),
          dueAt: new Date(now + 86_400_000).toISOString(),
          locksAt: new Date(now + 2 * 86_400_000).toISOString(),
        }),
      );
      if (response.status !== 200) {
        throw new Error(`opening period ${period}: HTTP ${response.status} ${response.text}`);
      }
    }
    const tokens = new Map(
      await Promise.all(
        libraries.map(
          async (library) =>
            [
              library.libraryId,
              await signDevToken(key, { role: 'library', libraryId: library.libraryId }),
            ] as const,
        ),
      ),
    );
    /** Every library once in each of these periods. */
    const savesIn = (somePeriods: readonly string[]) =>
      somePeriods.flatMap((period) =>
        libraries.map((library) => ({ libraryId: library.libraryId, period })),
      );
    const body = JSON.stringify({ values: wuxiangReport2025(), expectedRevision: 0 });
    /** Seconds for these saves through the API, 16 at a time. */
    const saveThroughApi = async (
      someSaves: readonly { libraryId: string; period: string }[],
      idempotencyKeys: boolean,
    ) => {
      const started = performance.now();
      await inParallel(someSaves, CONCURRENT_SAVERS, async (save) => {
        const response = await put(
          agent,
          `${stack.apiUrl}/api/libraries/${save.libraryId}/submissions/${FORM_ID}/${save.period}`,
          {
            authorization: `Bearer ${tokens.get(save.libraryId)}`,
            'content-type': 'application/json',
            ...(idempotencyKeys ? { 'idempotency-key': randomUUID() } : {}),
          },
          body,
        );
        if (response.status !== 201)
          throw new Error(`save: HTTP ${response.status} ${response.text}`);
      });
      return (performance.now() - started) / 1000;
    };
    /** Seconds for these transactions straight to DynamoDB Local, 16 at a time. */
    const writeRaw = async (transactions: readonly TransactWriteItemsCommand[]) => {
      const started = performance.now();
      await inParallel(transactions, CONCURRENT_SAVERS, async (command) => {
        await client.send(command);
      });
      return (performance.now() - started) / 1000;
    };
    /** The head and revision a save wrote, as one transaction creating them in another period. */
    const copiedTransaction = async (
      save: { libraryId: string; period: string },
      copyPeriod: string,
    ) => {
      const submissionKey = { libraryId: save.libraryId, formId: FORM_ID, period: save.period };
      const [head, revision] = await Promise.all([
        documents.send(
          new GetCommand({ TableName: stack.tableName, Key: submissionKeys(submissionKey) }),
        ),
        documents.send(
          new GetCommand({ TableName: stack.tableName, Key: revisionKeys(submissionKey, 1) }),
        ),
      ]);
      const copyKey = { ...submissionKey, period: copyPeriod };
      const item = (source: Record<string, unknown> | undefined, keys: Record<string, string>) =>
        marshall({ ...source, ...keys, period: copyPeriod }, { removeUndefinedValues: true });
      return new TransactWriteItemsCommand({
        TransactItems: [
          {
            Put: {
              TableName: stack.tableName,
              Item: item(head.Item, { ...submissionKeys(copyKey), ...headIndexKeys(copyKey) }),
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
          {
            Put: {
              TableName: stack.tableName,
              Item: item(revision.Item, revisionKeys(copyKey, 1)),
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
        ],
      });
    };

    const warmUpSaves = savesIn(rounds.map((round) => round.warmUp));
    options.log?.(`  ${warmUpSaves.length} untimed saves to warm up DynamoDB Local and the API …`);
    await saveThroughApi(warmUpSaves, false);
    // The raw writes create the very items the warm-up's saves created, under periods of their own.
    const timedRounds = await Promise.all(
      rounds.map(async (round) => {
        const rawTransactions: TransactWriteItemsCommand[] = [];
        await inParallel(savesIn([round.warmUp]), CONCURRENT_SAVERS, async (save) => {
          rawTransactions.push(await copiedTransaction(save, round.raw));
        });
        return { ...round, rawTransactions };
      }),
    );
    const saves = savesIn(rounds.map((round) => round.api));
    options.log?.(
      `  ${saves.length} saves through the API and as many raw TransactWriteItems, in ${rounds.length} alternating round(s) …`,
    );
    let apiSeconds = 0;
    let rawSeconds = 0;
    for (const [index, round] of timedRounds.entries()) {
      const timeApi = async () => {
        apiSeconds += await saveThroughApi(savesIn([round.api]), false);
      };
      const timeRaw = async () => {
        rawSeconds += await writeRaw(round.rawTransactions);
      };
      // Alternating which goes first, so neither always works in the other's wake.
      for (const step of index % 2 === 0 ? [timeApi, timeRaw] : [timeRaw, timeApi]) await step();
    }

    const idempotentSaves = savesIn(rounds.map((round) => round.idempotent));
    options.log?.(
      `  ${idempotentSaves.length} saves through the API with an Idempotency-Key each …`,
    );
    const idempotentApiSeconds = await saveThroughApi(idempotentSaves, true);

    return {
      saves: saves.length,
      apiSeconds,
      rawSeconds,
      apiSaveOverheadRatio: apiSeconds / rawSeconds,
      idempotentApiSeconds,
    };
  } finally {
    agent.destroy();
    client.destroy();
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
};

const RUNNER = fileURLToPath(new URL('./api-save-run.ts', import.meta.url));

/** One run on a fresh local stack, in a fresh process (bench/api-save-run.ts). */
export const benchApiSaveInChild = (periods: number): Promise<ApiSaveResult> =>
  runBenchChild<ApiSaveResult>(RUNNER, [String(periods)]);
