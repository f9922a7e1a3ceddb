import { fileURLToPath } from 'node:url';
import { Stack } from 'aws-cdk-lib';
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

/** Base of the default Cognito domain prefix, to which the account id is appended. */
export const DEFAULT_COGNITO_DOMAIN_PREFIX = 'county-library-reports';
// Cognito rejects prefixes containing these words.
const COGNITO_RESERVED_WORDS = ['aws', 'amazon', 'cognito'];

/**
 * The prefix of the user pool's Cognito domain (context `cognitoDomainPrefix`): the hosted
 * sign-in UI is at https://<prefix>.auth.<region>.amazoncognito.com. Defaults to
 * `county-library-reports-<account id>` so that two deployments never compete for one name.
 */
export const cognitoDomainPrefixOf = (scope: Construct): string => {
  const configured: unknown = scope.node.tryGetContext('cognitoDomainPrefix');
  if (configured === undefined) {
    return `${DEFAULT_COGNITO_DOMAIN_PREFIX}-${Stack.of(scope).account}`;
  }
  if (
    typeof configured !== 'string' ||
    !/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(configured) ||
    COGNITO_RESERVED_WORDS.some((word) => configured.includes(word))
  ) {
    throw new Error(
      `Context "cognitoDomainPrefix" must be 1–63 lowercase letters, digits and inner hyphens, without ${COGNITO_RESERVED_WORDS.join('/')}, like ${DEFAULT_COGNITO_DOMAIN_PREFIX}, got ${JSON.stringify(configured)}`,
    );
  }
  return configured;
};

export interface WebDomain {
  /** The distribution's alternate domain name, e.g. reports.example.org. */
  domainName: string;
  /** An ACM certificate in us-east-1 (CloudFront's only region) covering domainName. */
  certificateArn: string;
}

/**
 * The web app's custom domain on CloudFront (contexts `webDomainName` and `webCertificateArn`,
 * both or neither), or undefined for the distribution's own *.cloudfront.net name. The
 * distribution answers only there, so `webOrigin` must name it too, or sign-in would break.
 */
export const webDomainOf = (scope: Construct): WebDomain | undefined => {
  const domainName: unknown = scope.node.tryGetContext('webDomainName');
  const certificateArn: unknown = scope.node.tryGetContext('webCertificateArn');
  if (domainName === undefined && certificateArn === undefined) return undefined;
  if (
    typeof domainName !== 'string' ||
    !/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(domainName)
  ) {
    throw new Error(
      `Context "webDomainName" must be a lowercase host name like reports.example.org (set together with "webCertificateArn"), got ${JSON.stringify(domainName)}`,
    );
  }
  if (
    typeof certificateArn !== 'string' ||
    !/^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[0-9a-f-]+$/.test(certificateArn)
  ) {
    throw new Error(
      `Context "webCertificateArn" must be the ARN of an ACM certificate in us-east-1 (CloudFront uses no other region), set together with "webDomainName", got ${JSON.stringify(certificateArn)}`,
    );
  }
  const webOrigin = webOriginOf(scope);
  if (webOrigin !== `https://${domainName}`) {
    throw new Error(
      `Context "webOrigin" must be https://${domainName} when "webDomainName" is ${domainName}, got ${webOrigin}`,
    );
  }
  return { domainName, certificateArn };
};
