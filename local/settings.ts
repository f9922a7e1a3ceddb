import { resolve } from 'node:path';
import { z } from 'zod';

const Port = z.coerce.number().int().min(0).max(65_535);

/** The local stack's knobs, all from the environment; a bad value names its variable. */
export const LocalSettings = z.object({
  PORT: Port.default(3000),
  DATA_DIR: z.string().min(1).default('.data'),
  DEMO: z.enum(['0', '1']).default('1'),
  /** Emulator ports; a free port is chosen when unset. */
  DYNAMODB_PORT: Port.optional(),
  S3_PORT: Port.optional(),
  /**
   * For fault-injection tests: the S3 endpoint the handlers (and presigned links) use instead
   * of s3rver's own, e.g. a proxy in front of S3_PORT that the test can cut or stall.
   */
  S3_ENDPOINT_OVERRIDE: z.url({ protocol: /^https?$/ }).optional(),
  /** The nightly rollup, Beijing time (`HH:MM`), or `off`. */
  ROLLUP_AT: z
    .string()
    .trim()
    .regex(/^(off|OFF|([01]\d|2[0-3]):[0-5]\d)$/, 'must be HH:MM (Beijing time) or off')
    .default('02:00'),
});
export type LocalSettings = z.infer<typeof LocalSettings>;

export const readLocalSettings = (env: NodeJS.ProcessEnv = process.env) => {
  const result = LocalSettings.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `${issue.path.join('.')}: ${issue.message}`,
    );
    throw new Error(`Invalid local stack settings:\n  ${problems.join('\n  ')}`);
  }
  return { ...result.data, DATA_DIR: resolve(result.data.DATA_DIR) };
};

/** Names the local stack gives the resources; in AWS the CDK stack names them. */
export const LOCAL_TABLE_NAME = 'county-library-reports';
export const LOCAL_REGION = 'us-east-1';
