/**
 * The rollup at national scale: a generated registry of N libraries (6-digit ids, ten per city)
 * with a counted report (submitted or accepted) of every library for the period and the
 * previous one, in DynamoDB Local; then, each in a fresh child process so that its peak RSS is
 * its own, RollupService.execute over it and, as the floor, only Query-reading the same heads.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createBatchDocumentClient } from '../adapters/dynamodb/client.js';
import { DynamoDbLibraryStore } from '../adapters/dynamodb/library-store.js';
import { DynamoDbSubmissionStore } from '../adapters/dynamodb/submission-store.js';
import type { Library } from '../domain/registry/library.js';
import type { SubmissionHead, SubmissionRevision } from '../domain/submissions/model.js';
import { mainTable } from '../infra/resources.js';
import { demoReport, libraryProfile, seededRandom } from '../local/demo-reports.js';
import { type RunningDynamoDb, startDynamoDbLocal } from '../local/dynamodb-local.js';
import { ensureTable } from '../local/provision.js';
import { freePort, inParallel } from '../local/tools.js';
import { runBenchChild } from './child.js';

export const FORM_ID = 'county-annual-report';
const FORM_VERSION = '2026.1';
const PERIOD = '2025';
const PREVIOUS = '2024';
const TABLE = 'bench-main';
const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const REGION = 'local';
const RUNNER = fileURLToPath(new URL('./rollup-run.ts', import.meta.url));

export interface RollupBenchOptions {
  libraries: number;
  /** Measured repetitions of each child; the median is reported. */
  repetitions: number;
  /** Heads written concurrently while seeding. */
  seedConcurrency?: number;
  log?: (line: string) => void;
}

export interface Sample {
  seconds: number;
  maxRssMB: number;
}

export interface RollupBenchResult {
  libraries: number;
  headsPerPeriod: number;
  seedSeconds: number;
  rollup: Sample[];
  read: Sample[];
  /**
   * Reading with Limit 100 instead of 1 MB pages, for diagnosis: DynamoDB Local answers small
   * pages faster (RollupService reads pages of 300 heads, and only some values of the
   * previous period).
   */
  readLimit100: Sample[];
  /** node + tsx doing nothing: the part of the RSS that is not the rollup's. */
  baselineRssMB: number;
  rollupSeconds: number;
  rollupPeakRssMB: number;
  readSeconds: number;
  rollupOverReadRatio: number;
}

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};

/** Ten libraries per city: city codes 1100…, library ids `<city code>21`…`<city code>30`. */
export const generateLibraries = (count: number): Library[] =>
  Array.from({ length: count }, (_, index) => {
    const city = Math.floor(index / 10);
    const cityCode = String(1100 + city);
    const county = `第${index + 1}县`;
    return {
      libraryId: `${cityCode}${21 + (index % 10)}`,
      name: `${county}图书馆`,
      countyName: county,
      cityCode,
      cityName: `第${city + 1}市`,
    };
  });

const at = (iso: string, hours: number) =>
  new Date(new Date(iso).getTime() + hours * 3_600_000).toISOString();

/** A counted head and its latest revision: 2024 all accepted, 2025 half submitted, half accepted. */
const reportOf = (
  library: Library,
  period: string,
  random: () => number,
  profile: ReturnType<typeof libraryProfile>,
): { head: SubmissionHead; revision: SubmissionRevision } => {
  const year = Number(period);
  const values = demoReport(profile, year, random);
  const accepted = period === PREVIOUS || random() < 0.5;
  // Most before the due date (31 January of the next year), some late.
  const submittedAt = at(`${year + 1}-01-05T02:00:00.000Z`, random() * 700);
  const acceptedAt = at(submittedAt, 24 + random() * 200);
  const owner = {
    subject: `bench-library-${library.libraryId}`,
    role: 'library' as const,
    libraryId: library.libraryId,
  };
  const province = { subject: 'bench-province', role: 'province' as const };
  const head: SubmissionHead = {
    libraryId: library.libraryId,
    formId: FORM_ID,
    period,
    formVersion: FORM_VERSION,
    status: accepted ? 'accepted' : 'submitted',
    revision: accepted ? 3 : 2,
    values,
    explanations: {},
    createdAt: at(submittedAt, -48),
    updatedAt: accepted ? acceptedAt : submittedAt,
    submittedAt,
    ...(accepted ? { acceptedAt } : {}),
    updatedBy: accepted ? province : owner,
  };
  const revision: SubmissionRevision = {
    libraryId: head.libraryId,
    formId: head.formId,
    period: head.period,
    revision: head.revision,
    action: accepted ? 'accept' : 'submit',
    status: head.status,
    formVersion: head.formVersion,
    values: head.values,
    explanations: head.explanations,
    actor: head.updatedBy,
    at: head.updatedAt,
  };
  return { head, revision };
};

/** Writes the table, the registry and both periods' reports (exported for scratch drivers). */
export const seed = async (endpoint: string, count: number, concurrency: number) => {
  const client = new DynamoDBClient({ endpoint, region: REGION, credentials: CREDENTIALS });
  const documents = createBatchDocumentClient({
    endpoint,
    region: REGION,
    credentials: CREDENTIALS,
  });
  try {
    await ensureTable(client, TABLE, mainTable);
    const libraries = generateLibraries(count);
    await new DynamoDbLibraryStore(documents, TABLE).putLibraries(libraries);
    const store = new DynamoDbSubmissionStore(documents, TABLE);
    await inParallel(libraries, concurrency, async (library) => {
      const random = seededRandom(Number(library.libraryId));
      const profile = libraryProfile(random);
      for (const period of [PREVIOUS, PERIOD]) {
        const { head, revision } = reportOf(library, period, random, profile);
        await store.commit(head, revision, 0);
      }
    });
  } finally {
    client.destroy();
    documents.destroy();
  }
};

interface ChildResult extends Sample {
  [key: string]: unknown;
}

const runChild = (args: string[], env: NodeJS.ProcessEnv) =>
  runBenchChild<ChildResult>(RUNNER, args, env);

export const benchRollup = async (options: RollupBenchOptions): Promise<RollupBenchResult> => {
  const log = options.log ?? (() => undefined);
  const workDir = await mkdtemp(join(tmpdir(), 'bench-rollup-'));
  let dynamo: RunningDynamoDb | undefined;
  const stop = () => {
    void dynamo?.stop();
  };
  // Ctrl-C or a kill must not leave the Java process behind.
  const onSignal = (signal: NodeJS.Signals) => {
    stop();
    process.exitCode = signal === 'SIGINT' ? 130 : 143;
    setTimeout(() => process.exit(), 1_000).unref();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    log(`Starting DynamoDB Local (data in ${workDir}) …`);
    dynamo = await startDynamoDbLocal({
      port: await freePort(),
      dataDirectory: join(workDir, 'dynamodb'),
    });
    log(`Seeding ${options.libraries} libraries, two periods …`);
    const seedStarted = performance.now();
    await seed(dynamo.endpoint, options.libraries, options.seedConcurrency ?? 16);
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    log(`  seeded in ${seedSeconds.toFixed(1)} s`);

    const env: NodeJS.ProcessEnv = {
      ...process.env,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      TABLE_NAME: TABLE,
    };
    const periods = `${PERIOD},${PREVIOUS}`;
    const rollupOnce = () => runChild(['rollup', FORM_ID, PERIOD, join(workDir, 'reports')], env);
    const readOnce = () => runChild(['read', FORM_ID, periods], env);
    const readLimit100Once = () => runChild(['read', FORM_ID, periods, '100'], env);

    // Warm-up, not counted: warms DynamoDB Local's JVM, and publishes a first run so the
    // measured runs, like every nightly run after the first, compare with a previous one.
    log('Warm-up run …');
    const warm = await rollupOnce();
    const headsPerPeriod = Number((warm.counts as { counted?: number } | undefined)?.counted ?? 0);
    await readOnce();

    const rollup: Sample[] = [];
    const read: Sample[] = [];
    const readLimit100: Sample[] = [];
    for (let index = 0; index < options.repetitions; index += 1) {
      log(`Measured run ${index + 1} of ${options.repetitions} …`);
      read.push(await readOnce());
      rollup.push(await rollupOnce());
      readLimit100.push(await readLimit100Once());
    }
    const baseline = await runChild(['baseline'], env);
    const rollupSeconds = median(rollup.map((sample) => sample.seconds));
    const readSeconds = median(read.map((sample) => sample.seconds));
    return {
      libraries: options.libraries,
      headsPerPeriod,
      seedSeconds,
      rollup: rollup.map(({ seconds, maxRssMB }) => ({ seconds, maxRssMB })),
      read: read.map(({ seconds, maxRssMB }) => ({ seconds, maxRssMB })),
      readLimit100: readLimit100.map(({ seconds, maxRssMB }) => ({ seconds, maxRssMB })),
      baselineRssMB: baseline.maxRssMB,
      rollupSeconds,
      rollupPeakRssMB: median(rollup.map((sample) => sample.maxRssMB)),
      readSeconds,
      rollupOverReadRatio: rollupSeconds / readSeconds,
    };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await dynamo?.stop();
    await rm(workDir, { recursive: true, force: true });
  }
};
