/**
 * How every Lambda function is bundled: one definition for the CDK functions (NodejsFunction's
 * esbuild options) and for the benchmark, which builds the same bundles to weigh and time them.
 *
 * CommonJS output, from the ES module builds of our code and dependencies (which is what lets
 * esbuild drop unused code): the runtime then loads the bundle with `require`, and the Node
 * built-ins the SDK uses with `require` too. An ES module bundle imports them as modules
 * instead, and Node builds a module namespace for each, reading every export; `node:http`'s
 * lazy exports then load its bundled fetch implementation (undici). The benchmark measured a
 * DynamoDB-client-only bundle at about 75 ms to load as CommonJS against about 95 ms as an ES
 * module (docs/performance.md). No handler needs top-level await or `import.meta`.
 */
import { fileURLToPath } from 'node:url';

export const LAMBDA_BUNDLING = {
  format: 'cjs',
  platform: 'node',
  target: 'node22',
  minify: true,
  /** ES module builds of dependencies first: they tree-shake. */
  mainFields: ['module', 'main'],
  /**
   * `index.js.map` beside each bundle, without the sources' text: the logger reads it when it
   * first logs an error (functions/http/source-mapped-stack.ts). Not `--enable-source-maps`,
   * which parses the map at every cold start.
   */
  sourcemap: true,
  sourcesContent: false,
  /** Environment credentials only: see infra/lambda-credentials.ts. */
  alias: {
    '@aws-sdk/credential-provider-node': fileURLToPath(
      new URL('./lambda-credentials.ts', import.meta.url),
    ),
  },
} as const;
