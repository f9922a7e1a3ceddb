/**
 * Every Lambda function as built for deployment (infra/bundling.ts): its size, minified and
 * before zipping, and its cold start: the median over fresh `node` processes of the wall time
 * from starting the process to its exit after importing the bundle (which constructs its SDK
 * clients and reads its configuration at module load), divided by the same for an empty ESM
 * module. Node's own start-up is in both, as it is in a Lambda cold start.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { functions } from '../functions/routes.js';
import { LAMBDA_BUNDLING } from '../infra/bundling.js';
import { resourceEnv } from '../infra/resources.js';
import { median } from './rollup.js';

const FUNCTIONS_DIR = fileURLToPath(new URL('../functions/', import.meta.url));

export interface BundleSample {
  entry: string;
  kilobytes: number;
  coldStartMs: number;
  coldStartRatio: number;
}

export interface BundleBenchResult {
  emptyModuleMs: number;
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

/** Milliseconds from starting a fresh `node` to its exit after importing a module. */
const importMs = (modulePath: string): Promise<number> =>
  new Promise((resolve, reject) => {
    const script = `await import(${JSON.stringify(pathToFileURL(modulePath).href)});`;
    const started = performance.now();
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
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
        : reject(new Error(`importing ${modulePath} failed (${code}): ${err}`)),
    );
  });

const medianImportMs = async (modulePath: string, runs: number) => {
  const samples: number[] = [];
  // One warm-up run so the first measured one does not pay for the file system cache.
  await importMs(modulePath);
  for (let run = 0; run < runs; run += 1) samples.push(await importMs(modulePath));
  return median(samples);
};

export const benchLambdaBundles = async (options: {
  runs: number;
  log?: (line: string) => void;
}): Promise<BundleBenchResult> => {
  const outDir = await mkdtemp(join(tmpdir(), 'bench-lambda-'));
  try {
    const empty = join(outDir, 'empty.mjs');
    await writeFile(empty, 'export {};\n');
    const emptyModuleMs = await medianImportMs(empty, options.runs);
    const bundles: BundleSample[] = [];
    for (const definition of functions) {
      const outfile = join(outDir, `${definition.entry}.mjs`);
      await build({
        ...LAMBDA_BUNDLING,
        banner: { js: LAMBDA_BUNDLING.banner },
        mainFields: [...LAMBDA_BUNDLING.mainFields],
        entryPoints: [join(FUNCTIONS_DIR, `${definition.entry}.ts`)],
        bundle: true,
        outfile,
        logLevel: 'error',
      });
      const kilobytes = (await stat(outfile)).size / 1024;
      const coldStartMs = await medianImportMs(outfile, options.runs);
      const sample = {
        entry: definition.entry,
        kilobytes,
        coldStartMs,
        coldStartRatio: coldStartMs / emptyModuleMs,
      };
      options.log?.(
        `  ${definition.entry}: ${kilobytes.toFixed(0)} KB, import ${coldStartMs.toFixed(1)} ms (×${sample.coldStartRatio.toFixed(2)})`,
      );
      bundles.push(sample);
    }
    return {
      emptyModuleMs,
      bundles,
      bundleKBMax: Math.max(...bundles.map((bundle) => bundle.kilobytes)),
      coldStartRatioMax: Math.max(...bundles.map((bundle) => bundle.coldStartRatio)),
    };
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
};
