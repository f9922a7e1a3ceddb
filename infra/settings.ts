import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Stack } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { parseRegistryData } from '../domain/registry/registry-data.js';

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

/** The province a deployment serves (contexts `provinceCode` and `provinceName`). */
export interface Province {
  /** Two-digit code of the province-level division, e.g. `14` (Shanxi). */
  code: string;
  /** Its name as in the registry, e.g. `山西省`. */
  name: string;
  /** The registry file the user and registry scripts read: reference/libraries-<code>.json. */
  registryFile: string;
}

/** reference/libraries-<code>.json, the registry of one province's county libraries. */
export const registryFileOf = (provinceCode: string): string =>
  join(repoRoot, 'reference', `libraries-${provinceCode}.json`);

/**
 * The deployment's province, checked against its registry file, so that a deployment can never
 * be configured for one province and load or create users from another's registry.
 */
export const provinceOf = (scope: Construct): Province => {
  const code: unknown = scope.node.tryGetContext('provinceCode');
  const name: unknown = scope.node.tryGetContext('provinceName');
  if (typeof code !== 'string' || !/^\d{2}$/.test(code)) {
    throw new Error(
      `Context "provinceCode" must be a two-digit province code like "14", got ${JSON.stringify(code)}`,
    );
  }
  const registryFile = registryFileOf(code);
  if (!existsSync(registryFile)) {
    throw new Error(
      `Context "provinceCode" is ${code}, but ${registryFile} does not exist; generate it with scripts/build-registry.ts first`,
    );
  }
  const registry = parseRegistryData(registryFile, JSON.parse(readFileSync(registryFile, 'utf8')));
  if (registry.provinceCode !== code || name !== registry.provinceName) {
    throw new Error(
      `Context "provinceName" must be the name in ${registryFile} ("${registry.provinceName}"), got ${JSON.stringify(name)}`,
    );
  }
  return { code, name: registry.provinceName, registryFile };
};

const EMAIL_ADDRESS = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Where the alarms notify (context `alarmEmail`): one operator address, subscribed to the alarm
 * topic. Required, because alarms nobody receives protect nothing.
 */
export const alarmEmailOf = (scope: Construct): string => {
  const configured: unknown = scope.node.tryGetContext('alarmEmail');
  if (typeof configured !== 'string' || !EMAIL_ADDRESS.test(configured)) {
    throw new Error(
      `Context "alarmEmail" must be the e-mail address that receives alarms, like ops@example.org, got ${JSON.stringify(configured)}`,
    );
  }
  return configured;
};

/** The Amazon SES identity Cognito sends its mail from, instead of its own sender. */
export interface SesSender {
  fromEmail: string;
  /** Shown as the sender's name, e.g. 山西省图书馆. */
  fromName?: string;
  /** Where the identity is verified, when not in the deployment's region. */
  sesRegion?: string;
  /** The verified domain of fromEmail, when the domain rather than the address is verified. */
  sesVerifiedDomain?: string;
}

/**
 * Cognito's mail (temporary passwords, password resets) through SES (contexts `sesFromEmail`,
 * and optionally `sesFromName`, `sesRegion`, `sesVerifiedDomain`), or undefined for Cognito's
 * own sender, which allows only about 50 messages a day per account: fewer than one
 * province's first accounts.
 */
export const sesSenderOf = (scope: Construct): SesSender | undefined => {
  const context = (key: string): unknown => scope.node.tryGetContext(key);
  const [fromEmail, fromName, sesRegion, sesVerifiedDomain] = [
    'sesFromEmail',
    'sesFromName',
    'sesRegion',
    'sesVerifiedDomain',
  ].map(context);
  if (fromEmail === undefined) {
    const stray = Object.entries({ sesFromName: fromName, sesRegion, sesVerifiedDomain }).find(
      ([, value]) => value !== undefined,
    );
    if (stray) {
      throw new Error(
        `Context "${stray[0]}" applies only with "sesFromEmail", the SES-verified sender address`,
      );
    }
    return undefined;
  }
  // Cognito (and CDK) take only ASCII before the @.
  if (
    typeof fromEmail !== 'string' ||
    !EMAIL_ADDRESS.test(fromEmail) ||
    !/^[\x21-\x7e]+@/.test(fromEmail)
  ) {
    throw new Error(
      `Context "sesFromEmail" must be the SES-verified address Cognito sends from, ASCII before the @, like reports@wenhua.example.org, got ${JSON.stringify(fromEmail)}`,
    );
  }
  if (fromName !== undefined && (typeof fromName !== 'string' || fromName.trim() === '')) {
    throw new Error(
      `Context "sesFromName" must be a non-empty name, got ${JSON.stringify(fromName)}`,
    );
  }
  if (
    sesRegion !== undefined &&
    (typeof sesRegion !== 'string' || !/^[a-z]{2}(-[a-z]+)+-\d$/.test(sesRegion))
  ) {
    throw new Error(
      `Context "sesRegion" must be an AWS region like us-east-1, got ${JSON.stringify(sesRegion)}`,
    );
  }
  if (
    sesVerifiedDomain !== undefined &&
    (typeof sesVerifiedDomain !== 'string' || !fromEmail.endsWith(`@${sesVerifiedDomain}`))
  ) {
    throw new Error(
      `Context "sesVerifiedDomain" must be the domain of "sesFromEmail" (${fromEmail}), got ${JSON.stringify(sesVerifiedDomain)}`,
    );
  }
  return {
    fromEmail,
    ...(typeof fromName === 'string' ? { fromName } : {}),
    ...(typeof sesRegion === 'string' ? { sesRegion } : {}),
    ...(typeof sesVerifiedDomain === 'string' ? { sesVerifiedDomain } : {}),
  };
};

/** Domains reserved for examples (RFC 2606): mail to them never arrives. */
export const isPlaceholderEmail = (email: string): boolean =>
  /@(?:[^@]+\.)?example\.(?:org|com|net)$/i.test(email);

/**
 * X-Ray tracing of the functions (context `tracing`, default off): `-c tracing=true` arrives as
 * a string, so both forms are accepted.
 */
export const tracingEnabledOf = (scope: Construct): boolean => {
  const configured: unknown = scope.node.tryGetContext('tracing') ?? false;
  if (configured === true || configured === 'true') return true;
  if (configured === false || configured === 'false') return false;
  throw new Error(`Context "tracing" must be true or false, got ${JSON.stringify(configured)}`);
};

/**
 * An AWS WAF web ACL for the distribution (context `webAclArn`, optional). Web ACLs for
 * CloudFront exist only in us-east-1, so it is created outside these stacks and passed in.
 */
export const webAclArnOf = (scope: Construct): string | undefined => {
  const configured: unknown = scope.node.tryGetContext('webAclArn');
  if (configured === undefined) return undefined;
  if (
    typeof configured !== 'string' ||
    !/^arn:aws[a-z-]*:wafv2:us-east-1:\d{12}:global\/webacl\/[\w-]+\/[0-9a-f-]+$/.test(configured)
  ) {
    throw new Error(
      `Context "webAclArn" must be the ARN of a CLOUDFRONT-scope WAF web ACL (arn:aws:wafv2:us-east-1:<account>:global/webacl/<name>/<id>), got ${JSON.stringify(configured)}`,
    );
  }
  return configured;
};

/** How long function logs and the API's access logs are kept. */
export const FUNCTION_LOG_RETENTION = RetentionDays.ONE_MONTH;
/** Access logs (API, buckets) are network logs; China's Cybersecurity Law asks for six months or more. */
export const ACCESS_LOG_RETENTION = RetentionDays.ONE_YEAR;
export const ACCESS_LOG_RETENTION_DAYS = 365;

/**
 * Throttling of the API's stage, per route unless a route has its own limits. Sized for a whole
 * country (3,300 libraries): a deadline-day peak of a thousand librarians each saving every ten
 * seconds is 100 requests a second; the burst absorbs page loads (several parallel GETs each).
 */
export const API_THROTTLE = { rateLimit: 100, burstLimit: 200 } as const;

/**
 * Tighter limits where a request is expensive or only rarely legitimate: a presigned upload
 * (each photo is one), and starting a rollup (a province office action, minutes of compute).
 */
export const ROUTE_THROTTLES = [
  {
    routeKey: 'POST /api/libraries/{libraryId}/submissions/{formId}/{period}/evidence',
    rateLimit: 10,
    burstLimit: 20,
  },
  { routeKey: 'POST /api/rollups/{formId}/{period}', rateLimit: 1, burstLimit: 2 },
] as const;
