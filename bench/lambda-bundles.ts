/**
 * Every Lambda function as built for deployment (infra/bundling.ts): its size, minified and
 * before zipping, and its cold start: the median over fresh `node` processes of the wall time
 * from starting the process to its exit after loading the bundle as the Lambda runtime does
 * (which constructs its SDK clients and reads its configuration at module load), divided by
 * the same for an empty ES module. Node's own start-up is in both, as it is in a Lambda cold
 * start.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { functions } from '../functions/routes.js';
import { LAMBDA_BUNDLING } from '../infra/bundling.js';
import { resourceEnv } from '../infra/resources.js';
import { median } from './rollup.js';

const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));
const FUNCTIONS_DIR = join(REPO_ROOT, 'functions');

export interface BundleSample {
  entry: string;
  kilobytes: number;
  coldStartMs: number;
  coldStartRatio: number;
}

export interface BundleBenchResult {
  emptyModuleMs: number;
  /** A bundle of only a DynamoDB client: what the SDK costs before any of our code. */
  sdkFloor: BundleSample;
  bundles: BundleSample[];
  bundleKBMax: number;
  coldStartRatioMax: number;
}

/** What a deployed function finds in its environment; values are never contacted at import. */
const LAMBDA_ENV = {
  [resourceEnv.tableName]: 'bench-table',
  [resourceEnv.evidenceBucket]: 'bench-evidence',
  [resourceEnv.reportsBucket]: 'bench-reports',
  ROLLUP_FUNCTION_NAME: 'bench-run-rollup',
  POWERTOOLS_SERVICE_NAME: 'county-library-reports',
  AWS_REGION: 'cn-north-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_LAMBDA_FUNCTION_NAME: 'bench',
};

/**
 * Loads a module the way the Lambda runtime loads a handler: `require` for CommonJS, `import`
 * for an ES module. The same launcher loads the empty module, so only the module differs.
 */
const LOADER = [
  "import { createRequire } from 'node:module';",
  "import { pathToFileURL } from 'node:url';",
  'const file = process.argv[1];',
  "if (file.endsWith('.cjs')) createRequire(file)(file);",
  'else await import(pathToFileURL(file).href);',
].join('\n');

/** Milliseconds from starting a fresh `node` to its exit after loading a module. */
const loadMs = (modulePath: string): Promise<number> =>
  new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--input-type=module', '-e', LOADER, modulePath], {
      env: { PATH: process.env.PATH, ...LAMBDA_ENV },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve(performance.now() - started)
        : reject(new Error(`loading ${modulePath} failed (${code}): ${err}`)),
    );
  });

/**
 * The median load time of each module. Rounds go over every module in turn, so a burst of load
 * from elsewhere on a shared machine slows all of them alike instead of a few.
 */
const medianLoadMs = async (modulePaths: readonly string[], rounds: number) => {
  const samples = modulePaths.map((): number[] => []);
  // One warm-up round, so the first measured one does not pay for the file system cache.
  for (const modulePath of modulePaths) await loadMs(modulePath);
  for (let round = 0; round < rounds; round += 1) {
    for (const [index, modulePath] of modulePaths.entries()) {
      samples[index]?.push(await loadMs(modulePath));
    }
  }
  return samples.map((values) => median(values));
};

/** Builds one bundle exactly as CDK does (infra/bundling.ts) and returns its size in KB. */
const bundle = async (entry: { file: string } | { contents: string }, outfile: string) => {
  await build({
    ...LAMBDA_BUNDLING,
    mainFields: [...LAMBDA_BUNDLING.mainFields],
    ...('file' in entry
      ? { entryPoints: [entry.file] }
      : { stdin: { contents: entry.contents, resolveDir: REPO_ROOT, loader: 'ts' } }),
    bundle: true,
    outfile,
    logLevel: 'error',
  });
  return (await stat(outfile)).size / 1024;
};

/**
 * The floor the SDK sets: a bundle of nothing but a DynamoDB client, built and loaded like the
 * functions. Shown beside them so the table says how much each adds above it.
 */
const SDK_FLOOR_ENTRY = [
  "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
  'export const client = new DynamoDBClient({});',
].join('\n');

export const benchLambdaBundles = async (options: {
  runs: number;
  log?: (line: string) => void;
}): Promise<BundleBenchResult> => {
  const outDir = await mkdtemp(join(tmpdir(), 'bench-lambda-'));
  try {
    const empty = join(outDir, 'empty.mjs');
    await writeFile(empty, 'export {};\n');
    const floorFile = join(outDir, 'sdk-floor.cjs');
    const floorKilobytes = await bundle({ contents: SDK_FLOOR_ENTRY }, floorFile);
    const built = [];
    for (const definition of functions) {
      const outfile = join(outDir, `${definition.entry}.cjs`);
      const kilobytes = await bundle(
        { file: join(FUNCTIONS_DIR, `${definition.entry}.ts`) },
        outfile,
      );
      built.push({ entry: definition.entry, outfile, kilobytes });
    }
    options.log?.(`  ${built.length} functions built; loading each ${options.runs} times …`);
    const [emptyModuleMs = Number.NaN, floorMs = Number.NaN, ...functionMs] = await medianLoadMs(
      [empty, floorFile, ...built.map((lambda) => lambda.outfile)],
      options.runs,
    );
    const bundles = built.map((lambda, index) => {
      const coldStartMs = functionMs[index] ?? Number.NaN;
      const sample = {
        entry: lambda.entry,
        kilobytes: lambda.kilobytes,
        coldStartMs,
        coldStartRatio: coldStartMs / emptyModuleMs,
      };
      options.log?.(
        `  ${sample.entry}: ${sample.kilobytes.toFixed(0)} KB, load ${coldStartMs.toFixed(1)} ms (×${sample.coldStartRatio.toFixed(2)})`,
      );
      return sample;
    });
    return {
      emptyModuleMs,
      sdkFloor: {
        entry: 'DynamoDB client only',
        kilobytes: floorKilobytes,
        coldStartMs: floorMs,
        coldStartRatio: floorMs / emptyModuleMs,
      },
      bundles,
      bundleKBMax: Math.max(...bundles.map((sample) => sample.kilobytes)),
      coldStartRatioMax: Math.max(...bundles.map((sample) => sample.coldStartRatio)),
    };
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
};
