/**
 * Behaviour of the synthesized CDK app: what each resource must guarantee, with expectations
 * derived from the same definitions (mainTable, functions, routes) the app is built from.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { z } from 'zod';
import { Role } from '../../domain/auth/principal.js';
import {
  type FunctionDefinition,
  type FunctionEntry,
  functions,
  routes,
  type TableAccess,
} from '../../functions/routes.js';
import type { ApiStack } from '../../infra/api-stack.js';
import { type KeyAttribute, mainTable, resourceEnv } from '../../infra/resources.js';
import { createStacks } from '../../infra/stacks.js';
import type { StatefulStack } from '../../infra/stateful-stack.js';

// The test app gets cdk.json's context (feature flags, webOrigin) so it synthesizes what
// `cdk synth` does.
const cdkContext = z
  .object({ context: z.object({ webOrigin: z.string() }).catchall(z.unknown()) })
  .parse(JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8'))).context;

const GetAttArn = z.object({ 'Fn::GetAtt': z.tuple([z.string(), z.literal('Arn')]) });
const RouteResource = z.object({
  Properties: z.object({
    Target: z.object({
      'Fn::Join': z.tuple([
        z.literal(''),
        z.tuple([z.literal('integrations/'), z.object({ Ref: z.string() })]),
      ]),
    }),
  }),
});
const IntegrationResource = z.object({ Properties: z.object({ IntegrationUri: z.unknown() }) });
const PolicyResource = z.object({
  Properties: z.object({
    PolicyDocument: z.object({
      Statement: z.array(
        z.object({
          Effect: z.enum(['Allow', 'Deny']),
          Action: z.union([z.string(), z.array(z.string())]),
          Resource: z.unknown(),
        }),
      ),
    }),
  }),
});

const DYNAMODB_WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];
/** A write action, or a wildcard that includes the writes. */
const isTableWrite = (action: string) =>
  DYNAMODB_WRITE_ACTIONS.includes(action) || action === 'dynamodb:*';
const DYNAMODB_READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:BatchGetItem'];

const keySchema = (partitionKey: KeyAttribute, sortKey: KeyAttribute) => [
  { AttributeName: partitionKey.name, KeyType: 'HASH' },
  { AttributeName: sortKey.name, KeyType: 'RANGE' },
];

let stateful: StatefulStack;
let api: ApiStack;
let statefulTemplate: Template;
let apiTemplate: Template;

// Bundles land in a directory of our own, removed afterwards, not in a fresh temp dir per run.
const outdir = mkdtempSync(join(tmpdir(), 'cdk-infra-test-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

// Bundling the functions takes seconds, so the app is synthesized once for the whole file.
beforeAll(() => {
  ({ stateful, api } = createStacks(new App({ context: cdkContext, outdir })));
  statefulTemplate = Template.fromStack(stateful);
  apiTemplate = Template.fromStack(api);
}, 60_000);

const functionNamed = (entry: FunctionEntry) => {
  const handler = api.functionsByEntry.get(entry);
  if (handler === undefined) throw new Error(`No function for ${entry}`);
  return handler;
};

/** Actions the function's role policies allow, and on which resources. */
const allowedStatementsOf = (entry: FunctionEntry) => {
  const roleArn = api.resolve(functionNamed(entry).role?.roleArn);
  const [roleLogicalId] = GetAttArn.parse(roleArn)['Fn::GetAtt'];
  const policies = apiTemplate.findResources('AWS::IAM::Policy', {
    Properties: { Roles: Match.arrayWith([{ Ref: roleLogicalId }]) },
  });
  return Object.values(policies)
    .flatMap((policy) => PolicyResource.parse(policy).Properties.PolicyDocument.Statement)
    .filter((statement) => statement.Effect === 'Allow')
    .map((statement) => ({
      actions: [statement.Action].flat(),
      resources: [statement.Resource].flat(),
    }));
};

const sameResources = (left: unknown, right: unknown) =>
  JSON.stringify(left) === JSON.stringify(right);

/** The Lambda ARN a route's integration invokes. */
const integrationUriOf = (routeKey: string): unknown => {
  const matches = Object.values(
    apiTemplate.findResources('AWS::ApiGatewayV2::Route', { Properties: { RouteKey: routeKey } }),
  );
  expect(matches).toHaveLength(1);
  const integrationId = RouteResource.parse(matches[0]).Properties.Target['Fn::Join'][1][1].Ref;
  const integration = apiTemplate.toJSON().Resources?.[integrationId];
  return IntegrationResource.parse(integration).Properties.IntegrationUri;
};

describe('stateful stack', () => {
  test('the table has the keys and indexes of mainTable, on-demand, PITR, protected and retained', () => {
    statefulTemplate.resourceCountIs('AWS::DynamoDB::GlobalTable', 1);
    const keyAttributes = [
      mainTable.partitionKey,
      mainTable.sortKey,
      ...mainTable.globalSecondaryIndexes.flatMap((index) => [index.partitionKey, index.sortKey]),
    ];
    statefulTemplate.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: keySchema(mainTable.partitionKey, mainTable.sortKey),
        AttributeDefinitions: Match.arrayWith(
          keyAttributes.map(({ name, type }) => ({ AttributeName: name, AttributeType: type })),
        ),
        GlobalSecondaryIndexes: mainTable.globalSecondaryIndexes.map((index) => ({
          IndexName: index.indexName,
          KeySchema: keySchema(index.partitionKey, index.sortKey),
          Projection: { ProjectionType: 'ALL' },
        })),
        Replicas: [
          Match.objectLike({
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
            DeletionProtectionEnabled: true,
          }),
        ],
      },
    });
  });

  test('both buckets are private, encrypted, versioned, retained and refuse plain HTTP', () => {
    statefulTemplate.resourceCountIs('AWS::S3::Bucket', 2);
    statefulTemplate.allResources('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: {
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
          ],
        },
        VersioningConfiguration: { Status: 'Enabled' },
      },
    });
    for (const bucket of [stateful.evidenceBucket, stateful.reportsBucket]) {
      statefulTemplate.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: stateful.resolve(bucket.bucketName),
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 's3:*',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    }
  });

  test('the user pool is admin-only, retained, with a mutable libraryId and one group per role', () => {
    statefulTemplate.hasResource('AWS::Cognito::UserPool', {
      DeletionPolicy: 'Retain',
      Properties: {
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
        Schema: Match.arrayWith([
          Match.objectLike({ Name: 'libraryId', AttributeDataType: 'String', Mutable: true }),
        ]),
      },
    });
    statefulTemplate.resourceCountIs('AWS::Cognito::UserPoolGroup', Role.options.length);
    for (const role of Role.options) {
      statefulTemplate.hasResourceProperties('AWS::Cognito::UserPoolGroup', {
        GroupName: role,
        UserPoolId: stateful.resolve(stateful.userPool.userPoolId),
      });
    }
  });

  test('the web client is public, uses the code grant, and cannot write custom:libraryId', () => {
    statefulTemplate.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: Match.arrayEquals(['openid', 'email', 'profile']),
      CallbackURLs: [cdkContext.webOrigin],
      ReadAttributes: Match.arrayWith(['custom:libraryId']),
      WriteAttributes: Match.not(Match.arrayWith(['custom:libraryId'])),
    });
  });
});

describe('API stack', () => {
  test.each(functions.map((definition) => [definition.entry, definition] as const))(
    '%s is a Node.js 22 arm64 function with the resource environment and its own log group',
    (entry, definition) => {
      apiTemplate.hasResourceProperties('AWS::Lambda::Function', {
        Description: definition.description,
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: (definition as FunctionDefinition).memorySize ?? 512,
        Timeout: (definition as FunctionDefinition).timeoutSeconds ?? 10,
        Environment: {
          Variables: {
            [resourceEnv.tableName]: api.resolve(stateful.table.tableName),
            [resourceEnv.evidenceBucket]: api.resolve(stateful.evidenceBucket.bucketName),
            [resourceEnv.reportsBucket]: api.resolve(stateful.reportsBucket.bucketName),
            NODE_OPTIONS: '--enable-source-maps',
          },
        },
        LoggingConfig: { LogGroup: api.resolve(functionNamed(entry).logGroup.logGroupName) },
      });
    },
  );

  test('there is exactly one function, and one retention-limited log group, per definition', () => {
    apiTemplate.resourceCountIs('AWS::Lambda::Function', functions.length);
    apiTemplate.resourceCountIs('AWS::Logs::LogGroup', functions.length);
    apiTemplate.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  // Widened to TableAccess so the cases for access levels no function uses yet stay checked.
  const declaredAccess = functions.map((definition): [FunctionEntry, TableAccess] => [
    definition.entry,
    definition.table,
  ]);
  test.each(declaredAccess)(
    '%s gets exactly the table access it declares (%s)',
    (entry, access) => {
      const actions = allowedStatementsOf(entry).flatMap((statement) => statement.actions);
      const tableActions = actions.filter((action) => action.startsWith('dynamodb:'));
      if (access === 'none') {
        expect(tableActions).toEqual([]);
        return;
      }
      expect(tableActions).toEqual(expect.arrayContaining(DYNAMODB_READ_ACTIONS));
      if (access === 'read') expect(tableActions.filter(isTableWrite)).toEqual([]);
      else if (access === 'readWriteRuns') {
        // Writes only under a condition on the partition key (see the rollups block).
        expect(tableActions.filter(isTableWrite).sort()).toEqual([
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
        ]);
      } else expect(tableActions).toEqual(expect.arrayContaining(DYNAMODB_WRITE_ACTIONS));
    },
  );

  test('list-libraries may read the table and its indexes but write nothing', () => {
    const statements = allowedStatementsOf('list-libraries');
    const readStatement = statements.find((statement) =>
      statement.actions.includes('dynamodb:Query'),
    );
    expect(readStatement?.resources).toContainEqual(api.resolve(stateful.table.tableArn));
    const actions = statements.flatMap((statement) => statement.actions);
    expect(actions).toEqual(expect.arrayContaining(DYNAMODB_READ_ACTIONS));
    expect(actions.filter(isTableWrite)).toEqual([]);
  });

  test('the JWT authorizer trusts only the user pool, for the web client', () => {
    apiTemplate.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
    apiTemplate.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Audience: [api.resolve(stateful.webClient.userPoolClientId)],
        Issuer: {
          'Fn::Join': [
            '',
            [
              'https://cognito-idp.',
              api.resolve(api.region),
              '.amazonaws.com/',
              api.resolve(stateful.userPool.userPoolId),
            ],
          ],
        },
      },
    });
  });

  test.each(routes.map((route) => [`${route.method} ${route.path}`, route] as const))(
    '%s is routed to its function with the declared authorization',
    (routeKey, route) => {
      const [authorizerId] = Object.keys(
        apiTemplate.findResources('AWS::ApiGatewayV2::Authorizer'),
      );
      apiTemplate.hasResourceProperties('AWS::ApiGatewayV2::Route', {
        RouteKey: routeKey,
        ...(route.auth === 'jwt'
          ? { AuthorizationType: 'JWT', AuthorizerId: { Ref: authorizerId } }
          : { AuthorizationType: 'NONE', AuthorizerId: Match.absent() }),
      });
      expect(integrationUriOf(routeKey)).toEqual(
        api.resolve(functionNamed(route.function).functionArn),
      );
    },
  );

  test('the API has exactly the routes of the route table, CORS for the web origin, and a URL output', () => {
    apiTemplate.resourceCountIs('AWS::ApiGatewayV2::Route', routes.length);
    apiTemplate.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: { AllowOrigins: [cdkContext.webOrigin] },
    });
    apiTemplate.hasOutput('ApiUrl', { Value: api.resolve(api.api.apiEndpoint) });
  });
});

describe('webOrigin context', () => {
  // Bundling is skipped here: only CORS and the callback URL are under test.
  const appWithWebOrigin = (webOrigin: string) =>
    new App({
      context: { ...cdkContext, webOrigin, 'aws:cdk:bundling-stacks': [] },
      outdir: mkdtempSync(join(outdir, 'web-origin-')),
    });

  test('sets the CORS origin and the Cognito callback URL', () => {
    const origin = 'https://reports.example.org';
    const stacks = createStacks(appWithWebOrigin(origin));
    Template.fromStack(stacks.api).hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: { AllowOrigins: [origin] },
    });
    Template.fromStack(stacks.stateful).hasResourceProperties('AWS::Cognito::UserPoolClient', {
      CallbackURLs: [origin],
    });
  });

  test('lets only the web origin upload evidence and read rollup files from the buckets', () => {
    const stateful = Template.fromStack(
      createStacks(appWithWebOrigin('https://reports.example.org')).stateful,
    );
    const corsOf = (methods: string[]) => ({
      CorsConfiguration: {
        CorsRules: [
          Match.objectLike({
            AllowedOrigins: ['https://reports.example.org'],
            AllowedMethods: methods,
          }),
        ],
      },
    });
    stateful.hasResourceProperties('AWS::S3::Bucket', corsOf(['POST', 'PUT', 'GET', 'HEAD']));
    stateful.hasResourceProperties('AWS::S3::Bucket', corsOf(['GET', 'HEAD']));
  });

  test('must be a bare origin', () => {
    expect(() => createStacks(appWithWebOrigin('https://reports.example.org/app/'))).toThrow(
      /bare origin/,
    );
  });
});

describe('evidence', () => {
  const S3_OBJECT_ACTIONS: Record<string, string> = {
    put: 's3:PutObject',
    get: 's3:GetObject',
    delete: 's3:DeleteObject',
    tag: 's3:PutObjectTagging',
  };

  test.each(functions.map((definition) => [definition.entry, definition] as const))(
    '%s may touch only the evidence prefix, with only the object actions it declares',
    (entry, definition) => {
      const evidenceObjects = api.resolve(stateful.evidenceBucket.arnForObjects('evidence/*'));
      const s3Statements = allowedStatementsOf(entry).filter((statement) =>
        statement.actions.some((action) => action.startsWith('s3:')),
      );
      // Every S3 grant is on exactly one prefix: evidence/* here, rollups/* (reports bucket)
      // checked with the rollups below; nothing else, nothing bucket-wide.
      const reportsObjects = api.resolve(stateful.reportsBucket.arnForObjects('rollups/*'));
      for (const statement of s3Statements) {
        expect([[evidenceObjects], [reportsObjects]]).toContainEqual(statement.resources);
      }
      const declared = ('evidence' in definition ? definition.evidence : []).map(
        (access) => S3_OBJECT_ACTIONS[access],
      );
      expect(
        s3Statements
          .filter((statement) => sameResources(statement.resources, [evidenceObjects]))
          .flatMap((statement) => statement.actions)
          .sort(),
      ).toEqual([...declared].sort());
    },
  );

  test('uploads reach the verify function through an EventBridge rule on the evidence prefix', () => {
    statefulTemplate.hasResourceProperties('Custom::S3BucketNotifications', {
      BucketName: stateful.resolve(stateful.evidenceBucket.bucketName),
      NotificationConfiguration: { EventBridgeConfiguration: {} },
    });
    apiTemplate.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        detail: {
          bucket: { name: [api.resolve(stateful.evidenceBucket.bucketName)] },
          object: { key: [{ prefix: 'evidence/' }] },
        },
      },
      Targets: [
        Match.objectLike({ Arn: api.resolve(functionNamed('verify-evidence').functionArn) }),
      ],
    });
  });

  test('deleted evidence expires by its tag; old versions and broken uploads are cleaned up', () => {
    statefulTemplate.hasResourceProperties('AWS::S3::Bucket', {
      CorsConfiguration: Match.anyValue(),
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }),
          Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: 90 } }),
          Match.objectLike({
            TagFilters: [{ Key: 'evidence-state', Value: 'deleted' }],
            ExpirationInDays: 30,
            Status: 'Enabled',
          }),
        ]),
      },
    });
  });
});

describe('rollups', () => {
  const worker = () => functionNamed('run-rollup');
  const workerArn = () => api.resolve(worker().functionArn);
  const queueIds = () => Object.keys(apiTemplate.findResources('AWS::SQS::Queue'));
  const REPORTS_ACTIONS: Record<string, string> = { put: 's3:PutObject', get: 's3:GetObject' };

  test('EventBridge Scheduler runs the worker at 02:00 Beijing time with {"scheduled":true}, retries and a DLQ', () => {
    apiTemplate.resourceCountIs('AWS::Scheduler::Schedule', 1);
    const [schedule] = Object.values(apiTemplate.findResources('AWS::Scheduler::Schedule'));
    const properties = z
      .object({
        ScheduleExpression: z.string(),
        ScheduleExpressionTimezone: z.string(),
        Target: z.object({
          Arn: z.unknown(),
          Input: z.string(),
          RetryPolicy: z.object({
            MaximumRetryAttempts: z.number(),
            MaximumEventAgeInSeconds: z.number(),
          }),
          DeadLetterConfig: z.object({ Arn: GetAttArn }),
        }),
      })
      .parse(z.object({ Properties: z.unknown() }).parse(schedule).Properties);
    expect(properties.ScheduleExpression).toBe('cron(0 2 * * ? *)');
    expect(properties.ScheduleExpressionTimezone).toBe('Asia/Shanghai');
    expect(properties.Target.Arn).toEqual(workerArn());
    expect(JSON.parse(properties.Target.Input)).toEqual({ scheduled: true });
    expect(properties.Target.RetryPolicy.MaximumRetryAttempts).toBeGreaterThan(0);
    expect(queueIds()).toContain(properties.Target.DeadLetterConfig.Arn['Fn::GetAtt'][0]);
  });

  test('context rollupSchedule sets the expression; a malformed one fails synth', () => {
    const appWith = (rollupSchedule: string) =>
      new App({
        context: { ...cdkContext, rollupSchedule, 'aws:cdk:bundling-stacks': [] },
        outdir: mkdtempSync(join(outdir, 'schedule-')),
      });
    const stacks = createStacks(appWith('cron(30 3 * * ? *)'));
    Template.fromStack(stacks.api).hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(30 3 * * ? *)',
      ScheduleExpressionTimezone: 'Asia/Shanghai',
    });
    expect(() => createStacks(appWith('every night at two'))).toThrow(/rollupSchedule/);
  });

  test('a failed asynchronous run is retried twice, then goes to an SQS dead-letter queue', () => {
    apiTemplate.resourceCountIs('AWS::Lambda::EventInvokeConfig', 1);
    const [config] = Object.values(apiTemplate.findResources('AWS::Lambda::EventInvokeConfig'));
    const properties = z
      .object({
        FunctionName: z.unknown(),
        MaximumRetryAttempts: z.number(),
        MaximumEventAgeInSeconds: z.number(),
        DestinationConfig: z.object({ OnFailure: z.object({ Destination: GetAttArn }) }),
      })
      .parse(z.object({ Properties: z.unknown() }).parse(config).Properties);
    expect(properties.FunctionName).toEqual(api.resolve(worker().functionName));
    expect(properties.MaximumRetryAttempts).toBe(2);
    expect(properties.MaximumEventAgeInSeconds).toBeGreaterThanOrEqual(600);
    expect(queueIds()).toContain(
      properties.DestinationConfig.OnFailure.Destination['Fn::GetAtt'][0],
    );
    // Both dead-letter queues keep messages 14 days, encrypted.
    apiTemplate.resourceCountIs('AWS::SQS::Queue', 2);
    apiTemplate.allResourcesProperties('AWS::SQS::Queue', {
      MessageRetentionPeriod: 14 * 24 * 3600,
      SqsManagedSseEnabled: true,
    });
  });

  test("alarms watch the worker's errors and both dead-letter queues, and notify the alarm topic", () => {
    const alarmTopic = api.resolve(api.alarmTopic.topicArn);
    apiTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: api.resolve(worker().functionName) }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [alarmTopic],
    });
    for (const queueId of queueIds()) {
      apiTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
        AlarmActions: [alarmTopic],
      });
    }
    // Failed runs of a scheduled night are logged, not thrown: counted from the logs.
    apiTemplate.hasResourceProperties('AWS::Logs::MetricFilter', {
      LogGroupName: api.resolve(worker().logGroup.logGroupName),
      FilterPattern: '{ $.message = "Rollup run failed" }',
    });
  });

  test('the starter may invoke the worker and nothing else; no other function may invoke any', () => {
    for (const definition of functions) {
      const invokeStatements = allowedStatementsOf(definition.entry).filter((statement) =>
        statement.actions.some((action) => action.startsWith('lambda:')),
      );
      if (definition.entry !== 'start-rollup') {
        expect(invokeStatements).toEqual([]);
        continue;
      }
      expect(invokeStatements).toHaveLength(1);
      const [statement] = invokeStatements;
      expect(statement?.actions).toEqual(['lambda:InvokeFunction']);
      expect(statement?.resources).toEqual([
        workerArn(),
        { 'Fn::Join': ['', [workerArn(), ':*']] },
      ]);
    }
    apiTemplate.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Start a rollup run now (asynchronous)',
      Environment: {
        Variables: Match.objectLike({
          [resourceEnv.rollupFunction]: api.resolve(worker().functionName),
        }),
      },
    });
  });

  test.each(functions.map((definition) => [definition.entry, definition] as const))(
    '%s has exactly the reports-bucket actions it declares, on rollups/* only',
    (entry, definition) => {
      const reportsObjects = api.resolve(stateful.reportsBucket.arnForObjects('rollups/*'));
      const actions = allowedStatementsOf(entry)
        .filter((statement) => sameResources(statement.resources, [reportsObjects]))
        .flatMap((statement) => statement.actions);
      const declared = ((definition as FunctionDefinition).reports ?? []).map(
        (access) => REPORTS_ACTIONS[access],
      );
      expect(actions.sort()).toEqual([...declared].sort());
      // Nothing on the reports bucket outside that prefix.
      const bucketArn = JSON.stringify(api.resolve(stateful.reportsBucket.bucketArn));
      for (const statement of allowedStatementsOf(entry)) {
        if (JSON.stringify(statement.resources).includes(bucketArn.slice(1, -1))) {
          expect(statement.resources).toEqual([reportsObjects]);
        }
      }
    },
  );

  test('the rollup functions write only rollup run records (partition key ROLLUP#…)', () => {
    for (const entry of ['start-rollup', 'run-rollup'] as const) {
      const writes = allowedStatementsOf(entry).filter((statement) =>
        statement.actions.some(isTableWrite),
      );
      expect(writes).toHaveLength(1);
      const [roleLogicalId] = GetAttArn.parse(api.resolve(functionNamed(entry).role?.roleArn))[
        'Fn::GetAtt'
      ];
      apiTemplate.hasResourceProperties('AWS::IAM::Policy', {
        Roles: Match.arrayWith([{ Ref: roleLogicalId }]),
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
              Condition: {
                'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['ROLLUP#*'] },
              },
            }),
          ]),
        },
      });
    }
    expect(functionNamed('get-rollup')).toBeDefined();
    expect(
      allowedStatementsOf('get-rollup')
        .flatMap((s) => s.actions)
        .filter(isTableWrite),
    ).toEqual([]);
  });
});
