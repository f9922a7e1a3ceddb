/**
 * `npm run bench`: the performance figures of docs/performance.md. Prints a readable table and,
 * as its last line, one JSON object of numeric results. No test asserts a timing: the
 * machines are shared, so the goals are checked by reading these numbers.
 * So far: Lambda bundle sizes and cold starts, the rollup at national scale and the web form's
 * weight, the API's save overhead and how the rollup grows.
 * `--quick` runs everything small, to show it works (CI may run it).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildWeb } from '../scripts/build-web.js';
import { type ApiSaveResult, benchApiSaveInChild, CONCURRENT_SAVERS } from './api-save.js';
import { benchLambdaBundles } from './lambda-bundles.js';
import { benchRollup, median } from './rollup.js';

/** `--quick`: a small run for CI, to show the benchmark works, not to judge the numbers. */
const QUICK = process.argv.includes('--quick');
const LIBRARIES = QUICK ? 100 : 3_300;
const REPETITIONS = QUICK ? 1 : 3;
/** Fresh processes per function for the cold-start median (at least 10 for the real figure). */
const COLD_START_RUNS = QUICK ? 3 : 11;
/** Smaller rollups, to show how time and memory grow with the number of libraries. */
const GROWTH_LIBRARIES = QUICK ? [20, 50] : [100, 1_000];
/** Periods × the registry's 117 libraries = full-report saves through the API. */
const API_SAVE_PERIODS = QUICK ? 1 : 4;
/**
 * Runs of the save pass, each on a fresh local stack. One DynamoDB Local JVM writes steadily
 * within a run but 20–40 % faster or slower than the next one started, so one run samples one
 * JVM; the figure is the median of the runs' own API / raw ratios.
 */
const API_SAVE_RUNS = QUICK ? 1 : 3;

const log = (line: string) => process.stderr.write(`${line}\n`);

const fixed = (value: number, digits: number) => value.toFixed(digits);
const samples = <Run>(values: readonly Run[], pick: (run: Run) => number, digits: number) =>
  values.map((run) => fixed(pick(run), digits)).join(' / ');

const printTable = (rows: readonly (readonly string[])[]) => {
  const widths = rows[0]?.map((_, column) =>
    Math.max(...rows.map((row) => [...(row[column] ?? '')].length)),
  );
  const line = (row: readonly string[]) =>
    row.map((cell, column) => cell.padEnd(widths?.[column] ?? 0)).join('  ');
  const [header, ...body] = rows;
  if (!header) return;
  console.log(line(header));
  console.log(line(header.map((_, column) => '-'.repeat(widths?.[column] ?? 0))));
  for (const row of body) console.log(line(row));
};

/** The form page's JS and CSS as a phone downloads them, from a fresh production build. */
const webFormWeight = async () => {
  const outDir = await mkdtemp(join(tmpdir(), 'bench-web-'));
  try {
    return (await buildWeb(outDir)).formPageKBGzip;
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
};

const main = async () => {
  const webFormKBGzip = await webFormWeight();
  log(`Lambda bundles (${COLD_START_RUNS} fresh processes each):`);
  const lambdas = await benchLambdaBundles({ runs: COLD_START_RUNS, log });
  log('API save overhead:');
  const apiSaves: ApiSaveResult[] = [];
  for (let run = 1; run <= API_SAVE_RUNS; run += 1) {
    log(`Run ${run} of ${API_SAVE_RUNS} (a fresh local stack in a fresh process) …`);
    apiSaves.push(await benchApiSaveInChild(API_SAVE_PERIODS));
  }
  const growth = [];
  for (const libraries of GROWTH_LIBRARIES) {
    log(`Rollup over ${libraries} libraries:`);
    growth.push(await benchRollup({ libraries, repetitions: 1, log }));
  }
  const rollup = await benchRollup({ libraries: LIBRARIES, repetitions: REPETITIONS, log });

  console.log(
    `\nRollup over ${rollup.libraries} libraries (periods 2025 and 2024, ${rollup.headsPerPeriod} counted reports each), ` +
      `DynamoDB Local; median of ${REPETITIONS} fresh processes (seeding took ${fixed(rollup.seedSeconds, 1)} s)\n`,
  );
  printTable([
    ['figure', 'median', 'runs', 'goal'],
    [
      'rollup wall time (s)',
      fixed(rollup.rollupSeconds, 2),
      samples(rollup.rollup, (sample) => sample.seconds, 2),
      '≤ 10',
    ],
    [
      'rollup peak RSS (MB)',
      fixed(rollup.rollupPeakRssMB, 0),
      samples(rollup.rollup, (sample) => sample.maxRssMB, 0),
      '≤ 256',
    ],
    [
      'read-only Query, 1 MB pages (s)',
      fixed(rollup.readSeconds, 2),
      samples(rollup.read, (sample) => sample.seconds, 2),
      '',
    ],
    [
      'read-only Query, Limit 100 (s)',
      fixed(median(rollup.readLimit100.map((sample) => sample.seconds)), 2),
      samples(rollup.readLimit100, (sample) => sample.seconds, 2),
      '',
    ],
    ['rollup / read', fixed(rollup.rollupOverReadRatio, 2), '', '≤ 1.5'],
    ['node + tsx idle RSS (MB)', fixed(rollup.baselineRssMB, 0), '', ''],
  ]);

  console.log('\nHow the rollup grows (one run each below the full size)\n');
  printTable([
    ['libraries', 'rollup (s)', 'peak RSS (MB)', 'rollup / read'],
    ...[...growth, rollup].map((result) => [
      String(result.libraries),
      fixed(result.rollupSeconds, 2),
      fixed(result.rollupPeakRssMB, 0),
      fixed(result.rollupOverReadRatio, 2),
    ]),
  ]);

  const apiRow = (label: string, pick: (result: ApiSaveResult) => number, goal = '') => [
    label,
    fixed(median(apiSaves.map(pick)), 2),
    samples(apiSaves, pick, 2),
    goal,
  ];
  const apiSaveOverheadRatio = median(apiSaves.map((result) => result.apiSaveOverheadRatio));
  console.log(
    `\nDraft saves: ${apiSaves[0]?.saves} full reports, ${CONCURRENT_SAVERS} concurrent clients, against DynamoDB Local; median of ${API_SAVE_RUNS} run(s), each on a fresh local stack\n`,
  );
  printTable([
    ['figure', 'median', 'runs', 'goal'],
    apiRow('through the local HTTP API (s)', (result) => result.apiSeconds),
    apiRow('the same items as raw TransactWriteItems (s)', (result) => result.rawSeconds),
    apiRow('API / raw', (result) => result.apiSaveOverheadRatio, '≤ 1.5'),
    apiRow(
      'with an Idempotency-Key each, as the web app saves (s)',
      (result) => result.idempotentApiSeconds,
    ),
    apiRow(
      'with Idempotency-Key / raw',
      (result) => result.idempotentApiSeconds / result.rawSeconds,
    ),
  ]);

  console.log(
    `\nLambda bundles as deployed (minified CommonJS, before zipping); cold start = wall time of a fresh node ${process.versions.node} loading the bundle ÷ the same for an empty ES module (${fixed(lambdas.emptyModuleMs, 1)} ms), median of ${COLD_START_RUNS}\n`,
  );
  printTable([
    ['function', 'KB', 'cold start (ms)', 'ratio'],
    [
      `(floor: ${lambdas.sdkFloor.entry})`,
      fixed(lambdas.sdkFloor.kilobytes, 0),
      fixed(lambdas.sdkFloor.coldStartMs, 1),
      fixed(lambdas.sdkFloor.coldStartRatio, 2),
    ],
    ...lambdas.bundles.map((bundle) => [
      bundle.entry,
      fixed(bundle.kilobytes, 0),
      fixed(bundle.coldStartMs, 1),
      fixed(bundle.coldStartRatio, 2),
    ]),
    [
      'largest / slowest (goal)',
      `${fixed(lambdas.bundleKBMax, 0)} (≤ 600)`,
      '',
      `${fixed(lambdas.coldStartRatioMax, 2)} (≤ 2.2)`,
    ],
  ]);

  console.log('\nWeb app (production build, gzip level 9)\n');
  printTable([
    ['figure', 'value', 'goal'],
    ['form page JS + CSS loaded up front (KB gzipped)', fixed(webFormKBGzip, 1), '≤ 100'],
  ]);

  console.log(
    JSON.stringify({
      coldStartRatioMax: Number(fixed(lambdas.coldStartRatioMax, 3)),
      coldStartRatioSdkFloor: Number(fixed(lambdas.sdkFloor.coldStartRatio, 3)),
      bundleKBMax: Number(fixed(lambdas.bundleKBMax, 1)),
      apiSaveOverheadRatio: Number(fixed(apiSaveOverheadRatio, 3)),
      rollupSeconds3300: Number(fixed(rollup.rollupSeconds, 3)),
      rollupPeakRssMB: Number(fixed(rollup.rollupPeakRssMB, 1)),
      rollupOverReadRatio: Number(fixed(rollup.rollupOverReadRatio, 3)),
      webFormKBGzip,
    }),
  );
};

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : error}\n`);
  process.exit(1);
});
