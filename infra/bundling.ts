/**
 * How every Lambda function is bundled: one definition for the CDK functions (NodejsFunction's
 * esbuild options) and for the benchmark, which builds the same bundles to weigh and time them.
 */

/** ESM bundles still meet CommonJS inside some dependencies; give them a `require`. */
export const ESM_REQUIRE_BANNER =
  "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

export const LAMBDA_BUNDLING = {
  format: 'esm',
  platform: 'node',
  target: 'node22',
  minify: true,
  /** ESM builds of dependencies first: they tree-shake. */
  mainFields: ['module', 'main'],
  banner: ESM_REQUIRE_BANNER,
} as const;
