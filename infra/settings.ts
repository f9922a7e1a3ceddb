import { fileURLToPath } from 'node:url';
import type { Construct } from 'constructs';

/** The repository root, from this file's location, so synth works from any working directory. */
export const repoRoot = fileURLToPath(new URL('..', import.meta.url));

export const DEFAULT_WEB_ORIGIN = 'http://localhost:3000';

/** Logger service name; matches functions/http/logger.ts so every log line names one service. */
export const SERVICE_NAME = 'county-library-reports';

/**
 * The web app's origin (context `webOrigin`): the only CORS origin of the API and the Cognito
 * callback URL. Validated here so a typo fails synth instead of producing a broken sign-in.
 */
export const webOriginOf = (scope: Construct): string => {
  const configured: unknown = scope.node.tryGetContext('webOrigin') ?? DEFAULT_WEB_ORIGIN;
  if (typeof configured !== 'string') {
    throw new Error(`Context "webOrigin" must be a string, got ${JSON.stringify(configured)}`);
  }
  let url: URL;
  try {
    url = new URL(configured);
  } catch {
    throw new Error(`Context "webOrigin" is not a URL: ${configured}`);
  }
  if (url.origin !== configured) {
    throw new Error(
      `Context "webOrigin" must be a bare origin like ${DEFAULT_WEB_ORIGIN} (no path or trailing slash), got ${configured}`,
    );
  }
  return url.origin;
};

/** When the nightly rollup runs, in Beijing time (EventBridge Scheduler's own syntax). */
export const DEFAULT_ROLLUP_SCHEDULE = 'cron(0 2 * * ? *)';
export const ROLLUP_SCHEDULE_TIMEZONE = 'Asia/Shanghai';

/**
 * The nightly rollup's schedule expression (context `rollupSchedule`), in Asia/Shanghai time:
 * `cron(…)` or `rate(…)`, checked here so that a typo fails synth rather than the deploy.
 */
export const rollupScheduleOf = (scope: Construct): string => {
  const configured: unknown = scope.node.tryGetContext('rollupSchedule') ?? DEFAULT_ROLLUP_SCHEDULE;
  if (typeof configured !== 'string' || !/^(cron|rate)\([^()]+\)$/.test(configured.trim())) {
    throw new Error(
      `Context "rollupSchedule" must be an EventBridge Scheduler expression like ${DEFAULT_ROLLUP_SCHEDULE}, got ${JSON.stringify(configured)}`,
    );
  }
  return configured.trim();
};
