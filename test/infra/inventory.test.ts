/**
 * The resource inventory (issue 8, point 8): what each stack deploys, by CloudFormation type and
 * count, written out for a reviewer. Counts that follow from the function and route tables
 * (functions/routes.ts) are written as such; every other number is literal, so any other change
 * to the app shows up here. docs/deploy.md summarizes it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { App, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { z } from 'zod';
import { functions, routes } from '../../functions/routes.js';
import { createStacks } from '../../infra/stacks.js';

const cdkContext = z
  .object({ context: z.record(z.string(), z.unknown()) })
  .parse(JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8'))).context;

const outdir = mkdtempSync(join(tmpdir(), 'cdk-inventory-test-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

type Inventory = Record<string, number>;
const inventoryOf = (stack: Stack): Inventory => {
  const counts: Inventory = {};
  for (const resource of Object.values(Template.fromStack(stack).toJSON().Resources ?? {})) {
    const { Type } = z.object({ Type: z.string() }).parse(resource);
    counts[Type] = (counts[Type] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
};

let inventories: { stateful: Inventory; api: Inventory; web: Inventory };
beforeAll(() => {
  // Bundling is skipped: it changes asset hashes, never resources.
  const app = new App({
    context: {
      ...cdkContext,
      alarmEmail: 'library-reports-ops@wenhua.shanxi.test',
      'aws:cdk:bundling-stacks': [],
    },
    outdir,
  });
  const stacks = createStacks(app);
  inventories = {
    stateful: inventoryOf(stacks.stateful),
    api: inventoryOf(stacks.api),
    web: inventoryOf(stacks.web),
  };
}, 60_000);

test('CountyLibraryReportsStateful: the data, retained', () => {
  expect(inventories.stateful).toEqual({
    'AWS::Cognito::UserPool': 1,
    'AWS::Cognito::UserPoolClient': 1, // the web app (code grant with PKCE)
    'AWS::Cognito::UserPoolDomain': 1, // the hosted sign-in UI
    'AWS::Cognito::UserPoolGroup': 3, // library, province, admin
    'AWS::DynamoDB::GlobalTable': 1, // the one table (TableV2), with GSI1
    'AWS::IAM::Policy': 1, // CDK's bucket-notifications handler
    'AWS::IAM::Role': 1, // CDK's bucket-notifications handler
    'AWS::Lambda::Function': 1, // CDK's bucket-notifications handler (evidence → EventBridge)
    'AWS::S3::Bucket': 3, // evidence, reports, access logs
    'AWS::S3::BucketPolicy': 3, // TLS only; S3 log delivery into the access-log bucket
    'Custom::S3BucketNotifications': 1,
  });
});

test('CountyLibraryReportsApi: the HTTP API, one function per definition, and its alarms', () => {
  const F = functions.length;
  const R = routes.length;
  const routedFunctions = new Set(routes.map((route) => route.function)).size;
  expect(inventories.api).toEqual({
    'AWS::ApiGatewayV2::Api': 1,
    'AWS::ApiGatewayV2::Authorizer': 1, // Cognito JWT
    'AWS::ApiGatewayV2::Integration': routedFunctions, // every function but run-rollup
    'AWS::ApiGatewayV2::Route': R,
    'AWS::ApiGatewayV2::Stage': 1, // $default: throttling, access log
    // Errors and throttles per function; 4 DLQ depths; rollup failed runs; no success in 26 h.
    'AWS::CloudWatch::Alarm': 2 * F + 4 + 2,
    'AWS::Events::Rule': 1, // evidence uploaded → verify-evidence
    'AWS::IAM::Policy': F + 1, // one per role
    'AWS::IAM::Role': F + 1, // one per function, and the nightly schedule's
    'AWS::Lambda::EventInvokeConfig': 2, // run-rollup, verify-evidence: retries, on-failure DLQ
    'AWS::Lambda::Function': F,
    'AWS::Lambda::Permission': R + 1, // API Gateway per route, EventBridge for the rule
    'AWS::Logs::LogGroup': F + 1, // one per function (30 days), the API access log (1 year)
    'AWS::Logs::MetricFilter': 2, // rollup runs failed, rollup runs succeeded
    'AWS::SNS::Subscription': 1, // context alarmEmail
    'AWS::SNS::Topic': 1, // where every alarm notifies
    'AWS::SNS::TopicPolicy': 1, // TLS only
    'AWS::SQS::Queue': 4, // DLQs: run-rollup, its schedule, verify-evidence, its upload rule
    'AWS::SQS::QueuePolicy': 4, // TLS only; EventBridge and Scheduler may send
    'AWS::Scheduler::Schedule': 1, // nightly rollup, Asia/Shanghai
  });
});

test('CountyLibraryReportsWeb: CloudFront and the built web app', () => {
  expect(inventories.web).toEqual({
    'AWS::CloudFront::Distribution': 1,
    'AWS::CloudFront::Function': 1, // app routes → /index.html
    'AWS::CloudFront::OriginAccessControl': 1,
    'AWS::CloudFront::ResponseHeadersPolicy': 1, // security headers
    'AWS::IAM::Policy': 1, // CDK's BucketDeployment handler
    'AWS::IAM::Role': 2, // CDK's BucketDeployment handler, CDK's auto-delete handler
    'AWS::Lambda::Function': 2, // the same two CDK handlers
    'AWS::Lambda::LayerVersion': 3, // the AWS CLI layer of each BucketDeployment
    'AWS::Logs::LogGroup': 1, // CDK's BucketDeployment handler
    'AWS::S3::Bucket': 1, // the web app, rebuilt on every deploy
    'AWS::S3::BucketPolicy': 1, // CloudFront only, TLS only
    'Custom::CDKBucketDeployment': 3, // assets/, config.json, index.html
    'Custom::S3AutoDeleteObjects': 1, // empties the web bucket when the stack is deleted
  });
});
