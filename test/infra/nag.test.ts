/**
 * cdk-nag (issue 8, point 6): the AwsSolutions and Serverless packs, registered as at every
 * `cdk synth` (infra/app.ts), report nothing, neither errors nor warnings, in cdk.json's
 * configuration and with every optional context value set. Every acknowledgment carries its
 * reason and is actually needed: none is left over from a finding that no longer exists.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { App, type Environment, Validations } from 'aws-cdk-lib';
import { NagPack } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { z } from 'zod';
import { applyNagPacks } from '../../infra/nag.js';
import { createStacks } from '../../infra/stacks.js';

const cdkContext = z
  .object({ context: z.record(z.string(), z.unknown()) })
  .parse(JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8'))).context;

const outdir = mkdtempSync(join(tmpdir(), 'cdk-nag-test-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

/** Acknowledged rule ids on one construct (metadata written by Validations.acknowledge). */
const AcknowledgedRules = z.record(z.string(), z.string());
const acknowledgmentsOn = (construct: IConstruct): Record<string, string> =>
  Object.assign(
    {},
    ...construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .map((entry) => AcknowledgedRules.parse(entry.data)),
  );
/** CDK stores ids as `Annotation::<id>`; cdk-nag compares without that prefix. */
const ruleIdOf = (qualifiedId: string) => qualifiedId.replace(/^annotation::/i, '');

interface Acknowledgment {
  path: string;
  id: string;
  reason: string;
}
const acknowledgmentsIn = (app: App): Acknowledgment[] =>
  app.node.findAll().flatMap((construct) =>
    Object.entries(acknowledgmentsOn(construct)).map(([qualifiedId, reason]) => ({
      path: construct.node.path,
      id: ruleIdOf(qualifiedId),
      reason,
    })),
  );

/**
 * Synthesizes the app with both packs and runs them, recording which acknowledgment answered
 * each finding cdk-nag asked about (its private isAcknowledged, observed, not replaced).
 */
const checkApp = ({ context, env }: Variant) => {
  const app = new App({
    context: { ...cdkContext, 'aws:cdk:bundling-stacks': [], ...context },
    outdir: mkdtempSync(join(outdir, 'app-')),
  });
  const packs = applyNagPacks(app);
  createStacks(app, env);
  const used = new Set<string>();
  const prototype = NagPack.prototype as unknown as {
    isAcknowledged(resource: IConstruct, ruleId: string): boolean;
  };
  const isAcknowledged = prototype.isAcknowledged;
  const spy = jest.spyOn(prototype, 'isAcknowledged').mockImplementation(function (
    this: unknown,
    resource: IConstruct,
    ruleId: string,
  ) {
    const acknowledged = isAcknowledged.call(this, resource, ruleId);
    for (let scope: IConstruct | undefined = resource; acknowledged && scope; ) {
      const ids = Object.keys(acknowledgmentsOn(scope)).map(ruleIdOf);
      if (ids.includes(ruleId)) {
        used.add(`${scope.node.path} ${ruleId}`);
        break;
      }
      scope = scope.node.scope;
    }
    return acknowledged;
  });
  let findings: { rule: string; severity?: string; resources: (string | undefined)[] }[];
  try {
    // Synthesis runs the packs as validation plugins and throws their report on any error.
    app.synth();
    findings = packs.flatMap((pack) =>
      pack.validateScope(app).violations.map((violation) => ({
        rule: violation.ruleName,
        severity: violation.severity,
        resources: violation.violatingResources.map((resource) => resource.constructPath),
      })),
    );
  } finally {
    spy.mockRestore();
  }
  const acknowledgments = acknowledgmentsIn(app);
  const unused = acknowledgments
    .filter(({ path, id }) => !used.has(`${path} ${id}`))
    .map(({ path, id }) => `${path} ${id}`);
  return { findings, acknowledgments, unused };
};

const CERTIFICATE_ARN =
  'arn:aws:acm:us-east-1:123456789012:certificate/0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e';
const WEB_ACL_ARN =
  'arn:aws:wafv2:us-east-1:123456789012:global/webacl/library-reports/a1b2c3d4-5678-90ab-cdef-0123456789ab';

/** A configuration to check: context values, and the environment `cdk synth` passes with credentials. */
interface Variant {
  context: Record<string, unknown>;
  env?: Environment;
}
const variants = {
  'cdk.json as committed': { context: {} },
  'tracing, a custom domain and a WAF web ACL': {
    context: {
      tracing: true,
      webOrigin: 'https://reports.example.org',
      webDomainName: 'reports.example.org',
      webCertificateArn: CERTIFICATE_ARN,
      webAclArn: WEB_ACL_ARN,
    },
  },
  // With credentials, names of the environment appear literally in policies and findings.
  'a concrete account and region': {
    context: {},
    env: { account: '123456789012', region: 'ap-east-1' },
  },
} satisfies Record<string, Variant>;
type VariantName = keyof typeof variants;
const results = new Map<VariantName, ReturnType<typeof checkApp>>();
const resultOf = (variant: VariantName) => {
  const result = results.get(variant);
  if (result === undefined) throw new Error(`${variant} was not checked`);
  return result;
};

beforeAll(() => {
  // Clean packs print nothing; cdk.json's placeholder alarm address makes CDK print a warning.
  const consoleError = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    for (const [name, variant] of Object.entries(variants)) {
      results.set(name as VariantName, checkApp(variant));
    }
  } finally {
    consoleError.mockRestore();
  }
}, 60_000);

describe.each(Object.keys(variants) as VariantName[])('cdk-nag with %s', (variant) => {
  test('no error or warning of either pack is left unacknowledged', () => {
    expect(resultOf(variant).findings).toEqual([]);
  });

  test('every acknowledgment answers a finding and gives its reason', () => {
    const { unused, acknowledgments } = resultOf(variant);
    expect(unused).toEqual([]);
    for (const { path, id, reason } of acknowledgments) {
      expect({ path, id, reasonGiven: reason.length >= 60 }).toEqual({
        path,
        id,
        reasonGiven: true,
      });
    }
  });
});

test('the acknowledged rules, for a reviewer (each reason is beside its resource in infra/)', () => {
  const rules = new Map<string, Set<string>>();
  for (const { path, id } of resultOf('cdk.json as committed').acknowledgments) {
    // One entry per rule, naming the stacks; IAM4/IAM5 findings are grouped under their rule.
    const rule = id.replace(/\[.*\]$/, '');
    const stack = path.split('/')[0] ?? path;
    rules.set(rule, new Set([...(rules.get(rule) ?? []), stack]));
  }
  expect(
    Object.fromEntries(
      [...rules.entries()]
        .sort(([left], [right]) => left.localeCompare(right))
        .map(([rule, stacks]) => [rule, [...stacks].sort().join(', ')]),
    ),
  ).toEqual({
    // The readiness probe, GET /api/health, has no authorizer.
    'AwsSolutions-APIG4': 'CountyLibraryReportsApi',
    // Geo restriction, WAF (unless context webAclArn), CloudFront access logs, and the TLS
    // policy of the *.cloudfront.net certificate (unless a custom domain is set).
    'AwsSolutions-CFR1': 'CountyLibraryReportsWeb',
    'AwsSolutions-CFR2': 'CountyLibraryReportsWeb',
    'AwsSolutions-CFR3': 'CountyLibraryReportsWeb',
    'AwsSolutions-CFR4': 'CountyLibraryReportsWeb',
    // MFA optional for librarians without smartphones; Essentials rather than the Plus plan.
    'AwsSolutions-COG2': 'CountyLibraryReportsStateful',
    'AwsSolutions-COG8': 'CountyLibraryReportsStateful',
    // AWSLambdaBasicExecutionRole, on CDK's own deployment-time handlers only.
    'AwsSolutions-IAM4': 'CountyLibraryReportsStateful, CountyLibraryReportsWeb',
    // Object-key prefixes (evidence/*, uploads/*, rollups/*), the scheduler's grant on the worker's
    // versions, and the grants of CDK's BucketDeployment handler.
    'AwsSolutions-IAM5': 'CountyLibraryReportsApi, CountyLibraryReportsWeb',
    // nodejs22.x pinned to the Node version the project tests on; CDK's handler runtime.
    'AwsSolutions-L1': 'CountyLibraryReportsApi, CountyLibraryReportsWeb',
    // The web bucket, which only CloudFront reads and deployments write.
    'AwsSolutions-S1': 'CountyLibraryReportsWeb',
    // The dead-letter queues are themselves the DLQs.
    'AwsSolutions-SQS3': 'CountyLibraryReportsApi',
    // API functions are synchronous; the asynchronous ones use on-failure destinations.
    'Serverless-LambdaDLQ': 'CountyLibraryReportsApi, CountyLibraryReportsWeb',
    'Serverless-LambdaLatestVersion': 'CountyLibraryReportsApi, CountyLibraryReportsWeb',
    // X-Ray is behind context `tracing`; CDK's deployment handler.
    'Serverless-LambdaTracing': 'CountyLibraryReportsApi, CountyLibraryReportsWeb',
    // The alarm e-mail subscription.
    'Serverless-SNSRedrivePolicy': 'CountyLibraryReportsApi',
    'Serverless-SQSRedrivePolicy': 'CountyLibraryReportsApi',
  });
});
