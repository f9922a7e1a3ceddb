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
import { type FunctionEntry, functions, routes, type TableAccess } from '../../functions/routes.js';
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
        MemorySize: 512,
        Timeout: 10,
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
      else expect(tableActions).toEqual(expect.arrayContaining(DYNAMODB_WRITE_ACTIONS));
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
      const s3Statements = allowedStatementsOf(entry).filter((statement) =>
        statement.actions.some((action) => action.startsWith('s3:')),
      );
      const declared = ('evidence' in definition ? definition.evidence : []).map(
        (access) => S3_OBJECT_ACTIONS[access],
      );
      expect(s3Statements.flatMap((statement) => statement.actions).sort()).toEqual(
        [...declared].sort(),
      );
      for (const statement of s3Statements) {
        expect(statement.resources).toEqual([
          api.resolve(stateful.evidenceBucket.arnForObjects('evidence/*')),
        ]);
      }
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
