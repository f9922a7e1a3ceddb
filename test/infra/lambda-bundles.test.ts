/**
 * What each Lambda bundle carries, built as CDK builds it (infra/bundling.ts). A cold start is
 * mostly V8 compiling the bundle and Node loading what it requires (docs/performance.md), so
 * the work of keeping each function to what it uses is asserted here, where a stray import
 * fails a test instead of quietly adding a client or the forms toolchain back. Timings stay in
 * `npm run bench`.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { build } from 'esbuild';
import { type FunctionDefinition, functions } from '../../functions/routes.js';
import { LAMBDA_BUNDLING } from '../../infra/bundling.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The source files (repository paths) each function's bundle was built from. */
const inputsByFunction = new Map<string, string[]>();

beforeAll(async () => {
  for (const definition of functions) {
    const result = await build({
      ...LAMBDA_BUNDLING,
      mainFields: [...LAMBDA_BUNDLING.mainFields],
      entryPoints: [`${REPO_ROOT}functions/${definition.entry}.ts`],
      absWorkingDir: REPO_ROOT,
      bundle: true,
      write: false,
      outfile: `${definition.entry}.cjs`,
      metafile: true,
      logLevel: 'silent',
    });
    const output = result.metafile.outputs[`${definition.entry}.cjs`];
    inputsByFunction.set(definition.entry, Object.keys(output?.inputs ?? {}));
  }
}, 120_000);

const carries = (entry: string, pattern: RegExp) =>
  (inputsByFunction.get(entry) ?? []).some((input) => pattern.test(input));

/** The functions whose bundle has an input matching the pattern. */
const carrying = (pattern: RegExp) =>
  functions.filter(({ entry }) => carries(entry, pattern)).map(({ entry }) => entry);

const entriesWhere = (predicate: (definition: FunctionDefinition) => boolean) =>
  functions.filter(predicate).map(({ entry }) => entry);

describe('Lambda bundles', () => {
  it('built every function', () => {
    expect([...inputsByFunction.keys()]).toEqual(functions.map(({ entry }) => entry));
    expect(carrying(/^functions\//)).toHaveLength(functions.length);
  });

  it('carry nothing of the forms toolchain: no meta-schema, YAML parser, CLI or zod classic build', () => {
    expect(
      carrying(
        /^domain\/forms\/definition\.ts$|^scripts\/|node_modules\/yaml\/|zod\/v4\/classic\//,
      ),
    ).toEqual([]);
  });

  it('carry only the environment credential provider, not the SSO, INI, process or IMDS chain', () => {
    expect(
      carrying(/@aws-sdk\/credential-provider-(?!env)|@smithy\/credential-provider-imds/),
    ).toEqual([]);
  });

  it("carry no SDK service client or presigner: the app's own SigV4 clients make every AWS call", () => {
    expect(
      carrying(
        /@aws-sdk\/(client-[a-z0-9-]+|lib-dynamodb|s3-presigned-post|s3-request-presigner|signature-v4-multi-region)\//,
      ),
    ).toEqual([]);
  });

  it('carry the DynamoDB client only where the function reads or writes the table', () => {
    expect(carrying(/^adapters\/dynamodb\/client\.ts$/)).toEqual(
      entriesWhere((definition) => definition.table !== 'none'),
    );
  });

  it('carry the S3 client only where the function touches a bucket, and the Lambda client only where it invokes another', () => {
    expect(carrying(/^adapters\/s3\/client\.ts$/)).toEqual(
      entriesWhere(
        (definition) =>
          definition.evidence !== undefined ||
          definition.uploads !== undefined ||
          definition.reports !== undefined,
      ),
    );
    expect(carrying(/^adapters\/lambda\/client\.ts$/)).toEqual(
      entriesWhere((definition) => definition.invokes !== undefined),
    );
  });

  it('carry file sniffing only where uploads are verified', () => {
    expect(carrying(/node_modules\/file-type\//)).toEqual(
      entriesWhere((definition) => definition.s3Trigger !== undefined),
    );
  });
});

describe('an error logged from a bundle', () => {
  it('names its TypeScript source and line through the source map, with no Node flag', async () => {
    // Two levels below the repository, as CDK bundles into cdk.out/bundling-temp-…
    const cdkOut = join(REPO_ROOT, 'cdk.out');
    mkdirSync(cdkOut, { recursive: true });
    const dir = mkdtempSync(join(cdkOut, 'log-error-'));
    try {
      const outfile = join(dir, 'index.js');
      // As in the function's zip: no `"type": "module"` above the bundle.
      writeFileSync(join(dir, 'package.json'), '{ "type": "commonjs" }\n');
      await build({
        ...LAMBDA_BUNDLING,
        mainFields: [...LAMBDA_BUNDLING.mainFields],
        entryPoints: [`${REPO_ROOT}test/fixtures/log-error.ts`],
        absWorkingDir: REPO_ROOT,
        bundle: true,
        outfile,
        logLevel: 'silent',
      });
      const run = spawnSync(process.execPath, [outfile], {
        env: { PATH: process.env.PATH },
        encoding: 'utf8',
      });
      // The log line, or on a crash what Node printed instead.
      expect({ status: run.status, stderr: run.stderr }).toEqual({
        status: 0,
        stderr: expect.stringContaining('"level":"ERROR"'),
      });
      const logged = JSON.parse(run.stderr.trim()) as {
        error: { location: string; stack: string; cause: { stack: string } };
      };
      expect(logged.error.location).toBe('test/fixtures/log-error.ts:5');
      expect(logged.error.stack).toContain('(test/fixtures/log-error.ts:5:9)');
      expect(logged.error.cause.stack).toContain('(test/fixtures/log-error.ts:5:47)');
      expect(logged.error.stack).not.toContain('index.js');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
