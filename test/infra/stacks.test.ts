/**
 * Behaviour of the synthesized CDK app: what each resource must guarantee, with expectations
 * derived from the same definitions (mainTable, functions, routes) the app is built from.
 * Issue 8's points each have a block: identity, functions, stateful stack, API, night and
 * failure, configuration (cdk-nag: nag.test.ts; the resource inventory: inventory.test.ts).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { z } from 'zod';
import { Role } from '../../domain/auth/principal.js';
import {
  type FunctionDefinition,
  type FunctionEntry,
  functions,
  routes,
  type TableAccess,
} from '../../functions/routes.js';
import {
  ACCESS_LOG_FIELDS,
  type ApiStack,
  METRIC_NAMESPACE,
  ROLLUP_SUCCESS_WINDOW_HOURS,
} from '../../infra/api-stack.js';
import { type KeyAttribute, mainTable, resourceEnv } from '../../infra/resources.js';
import { API_THROTTLE, ROUTE_THROTTLES } from '../../infra/settings.js';
import { createStacks } from '../../infra/stacks.js';
import type { StatefulStack } from '../../infra/stateful-stack.js';

// The test app gets cdk.json's context (feature flags, province, webOrigin) so it synthesizes
// what `cdk synth` does, with a real-looking alarm address: cdk.json's placeholder makes synth
// warn, which is tested once below.
const cdkJsonContext = z
  .object({
    context: z
      .object({ webOrigin: z.string(), alarmEmail: z.string(), provinceCode: z.string() })
      .catchall(z.unknown()),
  })
  .parse(JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8'))).context;
const ALARM_EMAIL = 'library-reports-ops@wenhua.shanxi.test';
const cdkContext = { ...cdkJsonContext, alarmEmail: ALARM_EMAIL };

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
          Condition: z.unknown().optional(),
        }),
      ),
    }),
  }),
});
const FunctionResource = z.object({
  Properties: z.object({ Code: z.object({ S3Key: z.string() }), Description: z.string() }),
});

const DYNAMODB_WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];
/** A write action, or a wildcard that includes the writes. */
const isTableWrite = (action: string) =>
  DYNAMODB_WRITE_ACTIONS.includes(action) || action.includes('*');

/** Exactly the table actions of each access level: what the adapters call, nothing more. */
const TABLE_ACTIONS: Record<TableAccess, string[]> = {
  none: [],
  read: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'],
  readWrite: [
    'dynamodb:BatchGetItem',
    'dynamodb:ConditionCheckItem',
    'dynamodb:DeleteItem',
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'dynamodb:Query',
    'dynamodb:UpdateItem',
  ],
  readWriteRuns: [
    'dynamodb:BatchGetItem',
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'dynamodb:Query',
  ],
};

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

/** `run-rollup` → `RunRollup`, as the stack names constructs and outputs. */
const pascalCase = (entry: string) =>
  entry.replace(/(?:^|-)([a-z])/g, (_match, letter: string) => letter.toUpperCase());

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
      condition: statement.Condition,
    }));
};

/** The logical id of a construct's CloudFormation resource. */
const logicalIdOf = (value: unknown) => z.object({ Ref: z.string() }).parse(api.resolve(value)).Ref;

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

describe('1. identity', () => {
  test('the user pool is admin-only, retained, with a mutable libraryId and one group per role', () => {
    statefulTemplate.hasResource('AWS::Cognito::UserPool', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
        DeletionProtection: 'ACTIVE',
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

  test('passwords are strong, MFA is optional with authenticator apps only, on the Essentials plan', () => {
    statefulTemplate.hasResourceProperties('AWS::Cognito::UserPool', {
      Policies: {
        PasswordPolicy: {
          MinimumLength: 12,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
          TemporaryPasswordValidityDays: 7,
        },
      },
      MfaConfiguration: 'OPTIONAL',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      UserPoolTier: 'ESSENTIALS',
    });
  });

  test('new users are mailed their username, temporary password and the sign-in address', () => {
    statefulTemplate.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: {
        InviteMessageTemplate: {
          EmailSubject: Match.stringLikeRegexp('县级公共图书馆年报平台账号'),
          EmailMessage: Match.stringLikeRegexp(
            `登录地址：${cdkContext.webOrigin}.*\\{username\\}.*\\{####\\}`,
          ),
        },
      },
    });
  });

  test('the web client is public, uses the code grant (PKCE), and cannot write custom:libraryId', () => {
    statefulTemplate.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: Match.arrayEquals(['openid', 'email', 'profile']),
      CallbackURLs: [cdkContext.webOrigin],
      ReadAttributes: Match.arrayWith(['custom:libraryId']),
      WriteAttributes: Match.not(Match.arrayWith(['custom:libraryId'])),
    });
  });

  test("a sign-in lasts a working day, not Cognito's default hour", () => {
    statefulTemplate.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      IdTokenValidity: 720,
      AccessTokenValidity: 720,
      TokenValidityUnits: Match.objectLike({ IdToken: 'minutes', AccessToken: 'minutes' }),
    });
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

  test('every route except GET /api/health needs a token', () => {
    expect(routes.filter((route) => route.auth === 'public').map((route) => route.path)).toEqual([
      '/api/health',
    ]);
  });
});

describe('2. functions', () => {
  test.each(functions.map((definition) => [definition.entry, definition] as const))(
    '%s: Node.js 22 on arm64, explicit memory and timeout, JSON logs in its own log group',
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
            POWERTOOLS_SERVICE_NAME: 'county-library-reports',
            // `--enable-source-maps` would parse the source map at every cold start; the
            // logger maps logged stacks itself (functions/http/source-mapped-stack.ts).
            NODE_OPTIONS: Match.absent(),
          },
        },
        LoggingConfig: {
          LogGroup: api.resolve(functionNamed(entry).logGroup.logGroupName),
          LogFormat: 'JSON',
          ApplicationLogLevel: 'INFO',
          SystemLogLevel: 'INFO',
        },
        // Tracing is off unless context `tracing` is true (see the configuration block).
        TracingConfig: Match.absent(),
      });
    },
  );

  test('each function is bundled to one minified CommonJS module with a source map', () => {
    for (const resource of Object.values(apiTemplate.findResources('AWS::Lambda::Function'))) {
      const { Code, Description } = FunctionResource.parse(resource).Properties;
      const assetDir = join(outdir, `asset.${Code.S3Key.replace(/\.zip$/, '')}`);
      const bundle = readFileSync(join(assetDir, 'index.js'), 'utf8');
      // Compared as one summary, so that a failure names the function, not a megabyte of code.
      expect({
        Description,
        // CommonJS exporting the handler (loaded with `require`, see infra/bundling.ts).
        commonJs:
          /^"use strict";/.test(bundle) && /module\.exports=\{[^}]*\bhandler\b/.test(bundle),
        sourceMap: existsSync(join(assetDir, 'index.js.map')),
        // Positions and names only: the sources' text would only make the map slower to read.
        withoutSources: !readFileSync(join(assetDir, 'index.js.map'), 'utf8').includes(
          '"sourcesContent"',
        ),
        linked: /\/\/# sourceMappingURL=index\.js\.map\s*$/.test(bundle),
        // Minified: a few very long lines, not one statement per line.
        minified: bundle.split('\n').length < bundle.length / 1000,
      }).toEqual({
        Description,
        commonJs: true,
        sourceMap: true,
        withoutSources: true,
        linked: true,
        minified: true,
      });
    }
  });

  test('there is exactly one function, and one 30-day log group, per definition', () => {
    apiTemplate.resourceCountIs('AWS::Lambda::Function', functions.length);
    const functionLogs = apiTemplate.findResources('AWS::Logs::LogGroup', {
      Properties: { RetentionInDays: 30 },
      DeletionPolicy: 'Delete',
    });
    expect(Object.keys(functionLogs).sort()).toEqual(
      functions
        .map((definition) => logicalIdOf(functionNamed(definition.entry).logGroup.logGroupName))
        .sort(),
    );
  });

  test.each(functions.map((definition) => [definition.entry] as const))(
    '%s has a role of its own that may write only to its own log group, without managed policies',
    (entry) => {
      const handler = functionNamed(entry);
      const [roleLogicalId] = GetAttArn.parse(api.resolve(handler.role?.roleArn))['Fn::GetAtt'];
      expect(apiTemplate.toJSON().Resources?.[roleLogicalId]).toMatchObject({
        Properties: {
          AssumeRolePolicyDocument: {
            Statement: [{ Principal: { Service: 'lambda.amazonaws.com' } }],
          },
        },
      });
      const logStatements = allowedStatementsOf(entry).filter((statement) =>
        statement.actions.some((action) => action.startsWith('logs:')),
      );
      expect(logStatements).toEqual([
        {
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [{ 'Fn::GetAtt': [logicalIdOf(handler.logGroup.logGroupName), 'Arn'] }],
          condition: undefined,
        },
      ]);
    },
  );

  test('no role in the API stack has a managed policy or a wildcard action', () => {
    apiTemplate.allResourcesProperties('AWS::IAM::Role', {
      ManagedPolicyArns: Match.absent(),
    });
    const actions = Object.values(apiTemplate.findResources('AWS::IAM::Policy')).flatMap((policy) =>
      PolicyResource.parse(policy).Properties.PolicyDocument.Statement.flatMap((statement) => [
        statement.Action,
      ]),
    );
    expect(actions.flat().filter((action) => action.includes('*'))).toEqual([]);
  });

  // Widened to TableAccess so the cases for access levels no function uses yet stay checked.
  const declaredAccess = functions.map((definition): [FunctionEntry, TableAccess] => [
    definition.entry,
    definition.table,
  ]);
  test.each(declaredAccess)(
    '%s gets exactly the table actions of its access level (%s)',
    (entry, access) => {
      const tableStatements = allowedStatementsOf(entry).filter((statement) =>
        statement.actions.some((action) => action.startsWith('dynamodb:')),
      );
      const actions = [...new Set(tableStatements.flatMap((statement) => statement.actions))];
      expect(actions.sort()).toEqual(TABLE_ACTIONS[access]);
      // The table itself, and GSI1 for queries only; never index/* or another table.
      const tableArn = api.resolve(stateful.table.tableArn);
      const indexArn = { 'Fn::Join': ['', [tableArn, '/index/GSI1']] };
      for (const statement of tableStatements) {
        if (sameResources(statement.resources, [indexArn])) {
          expect(statement.actions).toEqual(['dynamodb:Query']);
        } else {
          expect(statement.resources).toEqual([tableArn]);
        }
      }
    },
  );
});

describe('3. stateful stack', () => {
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

  test('the evidence and reports buckets are private, encrypted, versioned, TLS-only and log their access', () => {
    for (const bucket of [stateful.evidenceBucket, stateful.reportsBucket]) {
      const logicalId = logicalIdOf(stateful.resolve(bucket.bucketName));
      expect(statefulTemplate.toJSON().Resources?.[logicalId]).toMatchObject({
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
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
          LoggingConfiguration: {
            DestinationBucketName: stateful.resolve(stateful.accessLogsBucket.bucketName),
            LogFilePrefix: `s3/${bucket === stateful.evidenceBucket ? 'evidence' : 'reports'}/`,
          },
        },
      });
    }
    for (const bucket of [
      stateful.evidenceBucket,
      stateful.reportsBucket,
      stateful.accessLogsBucket,
    ]) {
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

  test('the access-log bucket is private, encrypted, retained, accepts only S3 logging and keeps logs a year', () => {
    const logicalId = logicalIdOf(stateful.resolve(stateful.accessLogsBucket.bucketName));
    expect(statefulTemplate.toJSON().Resources?.[logicalId]).toMatchObject({
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        PublicAccessBlockConfiguration: { BlockPublicPolicy: true, RestrictPublicBuckets: true },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
          ],
        },
        LifecycleConfiguration: {
          Rules: expect.arrayContaining([{ ExpirationInDays: 365, Status: 'Enabled' }]),
        },
      },
    });
    statefulTemplate.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logicalId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'logging.s3.amazonaws.com' },
            Action: 's3:PutObject',
          }),
        ]),
      },
    });
  });

  test('deleted evidence expires by its tag; uploads after a day; old versions and broken uploads are cleaned up', () => {
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
          Match.objectLike({ Prefix: 'uploads/', ExpirationInDays: 1, Status: 'Enabled' }),
        ]),
      },
    });
  });

  test('nothing that holds data can be deleted by a stack operation', () => {
    // Termination protection: the stack itself refuses deletion.
    expect(stateful.terminationProtection).toBe(true);
    const dataTypes = ['AWS::DynamoDB::GlobalTable', 'AWS::S3::Bucket', 'AWS::Cognito::UserPool'];
    const Resource = z.object({
      Type: z.string(),
      DeletionPolicy: z.string().optional(),
      UpdateReplacePolicy: z.string().optional(),
    });
    const resources = Object.values(statefulTemplate.toJSON().Resources ?? {}).map((resource) =>
      Resource.parse(resource),
    );
    const dataResources = resources.filter((resource) => dataTypes.includes(resource.Type));
    expect(dataResources.map((resource) => resource.Type).sort()).toEqual([
      'AWS::Cognito::UserPool',
      'AWS::DynamoDB::GlobalTable',
      'AWS::S3::Bucket',
      'AWS::S3::Bucket',
      'AWS::S3::Bucket',
    ]);
    for (const resource of dataResources) {
      expect([resource.DeletionPolicy, resource.UpdateReplacePolicy]).toEqual(['Retain', 'Retain']);
    }
    // No custom resource that empties buckets on deletion.
    statefulTemplate.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
  });
});

describe('4. API', () => {
  const stageId = () => Object.keys(apiTemplate.findResources('AWS::ApiGatewayV2::Stage'));

  test('the $default stage throttles every route and the expensive ones tighter', () => {
    expect(stageId()).toHaveLength(1);
    const routeSettings = Object.fromEntries(
      ROUTE_THROTTLES.map(({ routeKey, rateLimit, burstLimit }) => [
        routeKey,
        { ThrottlingRateLimit: rateLimit, ThrottlingBurstLimit: burstLimit },
      ]),
    );
    apiTemplate.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: {
        ThrottlingRateLimit: API_THROTTLE.rateLimit,
        ThrottlingBurstLimit: API_THROTTLE.burstLimit,
      },
      RouteSettings: routeSettings,
    });
    // The throttled routes are upload presign and rollup start, and tighter than the stage.
    expect(
      ROUTE_THROTTLES.map(({ routeKey }) => {
        const route = routes.find(({ method, path }) => `${method} ${path}` === routeKey);
        return route?.function;
      }),
    ).toEqual(['presign-evidence', 'start-rollup']);
    for (const { rateLimit, burstLimit } of ROUTE_THROTTLES) {
      expect(rateLimit).toBeLessThan(API_THROTTLE.rateLimit);
      expect(burstLimit).toBeLessThan(API_THROTTLE.burstLimit);
    }
  });

  test('the stage waits for the routes it throttles (API Gateway rejects unknown route keys)', () => {
    const [stage] = Object.values(apiTemplate.findResources('AWS::ApiGatewayV2::Stage'));
    const dependsOn = z.object({ DependsOn: z.array(z.string()) }).parse(stage).DependsOn;
    for (const { routeKey } of ROUTE_THROTTLES) {
      const [routeId] = Object.keys(
        apiTemplate.findResources('AWS::ApiGatewayV2::Route', {
          Properties: { RouteKey: routeKey },
        }),
      );
      expect(dependsOn).toContain(routeId);
    }
  });

  test('every request is logged as JSON with id, IP, route, status, latency and errors, kept a year', () => {
    const [stage] = Object.values(apiTemplate.findResources('AWS::ApiGatewayV2::Stage'));
    const settings = z
      .object({
        Properties: z.object({
          AccessLogSettings: z.object({ DestinationArn: GetAttArn, Format: z.string() }),
        }),
      })
      .parse(stage).Properties.AccessLogSettings;
    expect(JSON.parse(settings.Format)).toEqual(ACCESS_LOG_FIELDS);
    expect(JSON.parse(settings.Format)).toMatchObject({
      requestId: '$context.requestId',
      ip: '$context.identity.sourceIp',
      routeKey: '$context.routeKey',
      status: '$context.status',
      integrationError: '$context.integrationErrorMessage',
      responseLatency: '$context.responseLatency',
    });
    const [logGroupId] = settings.DestinationArn['Fn::GetAtt'];
    expect(apiTemplate.toJSON().Resources?.[logGroupId]).toMatchObject({
      Type: 'AWS::Logs::LogGroup',
      Properties: { RetentionInDays: 365 },
      DeletionPolicy: 'Retain',
    });
  });

  test('the API has exactly the routes of the route table, CORS for the web origin only, and a URL output', () => {
    apiTemplate.resourceCountIs('AWS::ApiGatewayV2::Route', routes.length);
    apiTemplate.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: {
        AllowOrigins: [cdkContext.webOrigin],
        AllowHeaders: ['authorization', 'content-type', 'x-correlation-id'],
      },
    });
    apiTemplate.hasOutput('ApiUrl', { Value: api.resolve(api.api.apiEndpoint) });
  });
});

describe('5. night and failure', () => {
  const worker = () => functionNamed('run-rollup');
  const workerArn = () => api.resolve(worker().functionArn);
  const queueIds = () => Object.keys(apiTemplate.findResources('AWS::SQS::Queue'));
  const alarmTopic = () => api.resolve(api.alarmTopic.topicArn);

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
          RoleArn: GetAttArn,
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
    // Its role may be assumed by the scheduler of this account only.
    expect(
      apiTemplate.toJSON().Resources?.[properties.Target.RoleArn['Fn::GetAtt'][0]],
    ).toMatchObject({
      Properties: {
        AssumeRolePolicyDocument: {
          Statement: [
            {
              Principal: { Service: 'scheduler.amazonaws.com' },
              Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
            },
          ],
        },
      },
    });
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

  test.each([
    ['run-rollup', 2],
    ['verify-evidence', 2],
  ] as const)(
    'a failed asynchronous %s event is retried %d times, then goes to its SQS dead-letter queue',
    (entry, retries) => {
      const configs = Object.values(
        apiTemplate.findResources('AWS::Lambda::EventInvokeConfig', {
          Properties: { FunctionName: api.resolve(functionNamed(entry).functionName) },
        }),
      );
      expect(configs).toHaveLength(1);
      const properties = z
        .object({
          MaximumRetryAttempts: z.number(),
          MaximumEventAgeInSeconds: z.number(),
          DestinationConfig: z.object({ OnFailure: z.object({ Destination: GetAttArn }) }),
        })
        .parse(z.object({ Properties: z.unknown() }).parse(configs[0]).Properties);
      expect(properties.MaximumRetryAttempts).toBe(retries);
      expect(properties.MaximumEventAgeInSeconds).toBeGreaterThanOrEqual(600);
      expect(queueIds()).toContain(
        properties.DestinationConfig.OnFailure.Destination['Fn::GetAtt'][0],
      );
      // Named in an output, for redriving failed events by hand.
      apiTemplate.hasOutput(`${pascalCase(entry)}FunctionName`, {
        Value: api.resolve(functionNamed(entry).functionName),
      });
    },
  );

  test('only the asynchronous functions have an asynchronous-invocation config', () => {
    apiTemplate.resourceCountIs('AWS::Lambda::EventInvokeConfig', 2);
  });

  test('uploads reach the verify function through an EventBridge rule with retries and a DLQ', () => {
    statefulTemplate.hasResourceProperties('Custom::S3BucketNotifications', {
      BucketName: stateful.resolve(stateful.evidenceBucket.bucketName),
      NotificationConfiguration: { EventBridgeConfiguration: {} },
    });
    const rules = Object.values(apiTemplate.findResources('AWS::Events::Rule'));
    expect(rules).toHaveLength(1);
    const rule = z
      .object({
        Properties: z.object({
          EventPattern: z.unknown(),
          Targets: z.array(
            z.object({
              Arn: z.unknown(),
              DeadLetterConfig: z.object({ Arn: GetAttArn }),
              RetryPolicy: z.object({ MaximumRetryAttempts: z.number() }),
            }),
          ),
        }),
      })
      .parse(rules[0]).Properties;
    expect(rule.EventPattern).toEqual({
      source: ['aws.s3'],
      'detail-type': ['Object Created'],
      detail: {
        bucket: { name: [api.resolve(stateful.evidenceBucket.bucketName)] },
        // Uploads only: not the verified copies the function writes itself.
        object: { key: [{ prefix: 'uploads/' }] },
      },
    });
    expect(rule.Targets).toHaveLength(1);
    expect(rule.Targets[0]?.Arn).toEqual(api.resolve(functionNamed('verify-evidence').functionArn));
    expect(rule.Targets[0]?.RetryPolicy.MaximumRetryAttempts).toBeGreaterThan(0);
    expect(queueIds()).toContain(rule.Targets[0]?.DeadLetterConfig.Arn['Fn::GetAtt'][0]);
  });

  test('four dead-letter queues keep messages 14 days, encrypted, TLS only, each with a depth alarm', () => {
    apiTemplate.resourceCountIs('AWS::SQS::Queue', 4);
    apiTemplate.allResourcesProperties('AWS::SQS::Queue', {
      MessageRetentionPeriod: 14 * 24 * 3600,
      SqsManagedSseEnabled: true,
    });
    for (const queueId of queueIds()) {
      apiTemplate.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: queueId }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
      apiTemplate.hasOutput('*', { Value: { Ref: queueId } });
      apiTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmActions: [alarmTopic()],
      });
    }
  });

  test.each(functions.map((definition) => [definition.entry] as const))(
    "%s's errors and throttles each raise an alarm on the alarm topic",
    (entry) => {
      for (const metricName of ['Errors', 'Throttles']) {
        apiTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
          Namespace: 'AWS/Lambda',
          MetricName: metricName,
          Dimensions: [
            { Name: 'FunctionName', Value: api.resolve(functionNamed(entry).functionName) },
          ],
          Statistic: 'Sum',
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          AlarmActions: [alarmTopic()],
        });
      }
    },
  );

  test('no successful rollup for 26 hours raises an alarm, counted from the worker’s log line', () => {
    apiTemplate.hasResourceProperties('AWS::Logs::MetricFilter', {
      LogGroupName: api.resolve(worker().logGroup.logGroupName),
      FilterPattern: '{ ($.message = "Rollup run finished") && ($.status = "succeeded") }',
      MetricTransformations: [
        {
          MetricNamespace: METRIC_NAMESPACE,
          MetricName: 'RunRollupSucceededRuns',
          MetricValue: '1',
        },
      ],
    });
    apiTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: METRIC_NAMESPACE,
      MetricName: 'RunRollupSucceededRuns',
      Statistic: 'Sum',
      Period: 3600,
      EvaluationPeriods: ROLLUP_SUCCESS_WINDOW_HOURS,
      DatapointsToAlarm: ROLLUP_SUCCESS_WINDOW_HOURS,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      // No data in an hour means no success in that hour.
      TreatMissingData: 'breaching',
      AlarmActions: [alarmTopic()],
    });
    expect(ROLLUP_SUCCESS_WINDOW_HOURS).toBe(26);
  });

  test('failed runs of a scheduled night, which are logged and not thrown, raise an alarm', () => {
    apiTemplate.hasResourceProperties('AWS::Logs::MetricFilter', {
      LogGroupName: api.resolve(worker().logGroup.logGroupName),
      FilterPattern: '{ $.message = "Rollup run failed" }',
    });
    apiTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: METRIC_NAMESPACE,
      MetricName: 'RunRollupFailedRuns',
      AlarmActions: [alarmTopic()],
    });
  });

  test('the alarm topic refuses plain HTTP and mails the alarm address of the context', () => {
    apiTemplate.resourceCountIs('AWS::SNS::Topic', 1);
    apiTemplate.resourceCountIs('AWS::SNS::Subscription', 1);
    apiTemplate.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: ALARM_EMAIL,
      TopicArn: alarmTopic(),
    });
    apiTemplate.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [alarmTopic()],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sns:Publish',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          // The topic's own policy replaces SNS's default: the alarms need this to notify.
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: Match.objectLike({
              StringEquals: { 'aws:SourceAccount': Match.anyValue() },
            }),
          }),
        ]),
      },
    });
    // Every alarm notifies the topic.
    const alarms = Object.values(apiTemplate.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.length).toBe(2 * functions.length + 4 + 2);
    for (const alarm of alarms) {
      expect(alarm).toMatchObject({ Properties: { AlarmActions: [alarmTopic()] } });
    }
    apiTemplate.hasOutput('AlarmTopicArn', { Value: alarmTopic() });
  });
});

describe('evidence and reports grants', () => {
  const S3_OBJECT_ACTIONS: Record<string, string> = {
    put: 's3:PutObject',
    get: 's3:GetObject',
    delete: 's3:DeleteObject',
    tag: 's3:PutObjectTagging',
  };
  const objectActionsOf = (accesses: readonly string[] = []) =>
    accesses.flatMap((access) => S3_OBJECT_ACTIONS[access] ?? []).sort();
  const listingOf = (accesses: readonly string[] = []) =>
    accesses.includes('list') ? ['s3:ListBucket'] : [];

  test.each(functions.map((definition) => [definition.entry, definition] as const))(
    '%s may touch only the evidence/, uploads/ and rollups/ prefixes with the object actions it declares, and list a bucket only if it declares it',
    (entry, definition) => {
      const { evidence, uploads, reports } = definition as FunctionDefinition;
      const evidenceObjects = api.resolve(stateful.evidenceBucket.arnForObjects('evidence/*'));
      const uploadObjects = api.resolve(stateful.evidenceBucket.arnForObjects('uploads/*'));
      const reportsObjects = api.resolve(stateful.reportsBucket.arnForObjects('rollups/*'));
      const evidenceBucket = api.resolve(stateful.evidenceBucket.bucketArn);
      const reportsBucket = api.resolve(stateful.reportsBucket.bucketArn);
      const s3Statements = allowedStatementsOf(entry).filter((statement) =>
        statement.actions.some((action) => action.startsWith('s3:')),
      );
      // Every S3 grant is on exactly one prefix or one bucket; nothing else.
      for (const statement of s3Statements) {
        expect([
          [evidenceObjects],
          [uploadObjects],
          [reportsObjects],
          [evidenceBucket],
          [reportsBucket],
        ]).toContainEqual(statement.resources);
      }
      const actionsOn = (resource: unknown) =>
        s3Statements
          .filter((statement) => sameResources(statement.resources, [resource]))
          .flatMap((statement) => statement.actions)
          .sort();
      expect(actionsOn(evidenceObjects)).toEqual(objectActionsOf(evidence));
      expect(actionsOn(uploadObjects)).toEqual(objectActionsOf(uploads));
      expect(actionsOn(reportsObjects)).toEqual(objectActionsOf(reports));
      // Listing a bucket is what lets S3 answer a missing object with 404, not 403.
      expect(actionsOn(evidenceBucket)).toEqual(
        listingOf([...(evidence ?? []), ...(uploads ?? [])]),
      );
      expect(actionsOn(reportsBucket)).toEqual(listingOf(reports));
    },
  );

  test('the starter may invoke the unqualified worker and nothing else; no other function may invoke any', () => {
    const workerArn = api.resolve(functionNamed('run-rollup').functionArn);
    for (const definition of functions) {
      const invokeStatements = allowedStatementsOf(definition.entry).filter((statement) =>
        statement.actions.some((action) => action.startsWith('lambda:')),
      );
      if (definition.entry !== 'start-rollup') {
        expect(invokeStatements).toEqual([]);
        continue;
      }
      expect(invokeStatements).toEqual([
        {
          actions: ['lambda:InvokeFunction'],
          // Unqualified: the function's $LATEST, never a version, alias or other function.
          resources: [workerArn, { 'Fn::Join': ['', [workerArn, ':$LATEST']] }],
          condition: undefined,
        },
      ]);
    }
    apiTemplate.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Start a rollup run now (asynchronous)',
      Environment: {
        Variables: Match.objectLike({
          [resourceEnv.rollupFunction]: api.resolve(functionNamed('run-rollup').functionName),
        }),
      },
    });
  });

  test('each writing function writes only the partitions of what it changes; the others write nothing', () => {
    // Written out here, not derived from functions/routes.ts: a widened grant must fail a test.
    const partitionsWritten: Record<string, string[]> = {
      'save-submission': ['LIB#*', 'idempotency#*'],
      'submit-submission': ['LIB#*', 'idempotency#*'],
      'review-submission': ['LIB#*', 'idempotency#*'],
      'presign-evidence': ['LIB#*'],
      'verify-evidence': ['LIB#*'],
      'delete-evidence': ['LIB#*'],
      'manage-period': ['PERIOD#*'],
      'start-rollup': ['ROLLUP#*'],
      'run-rollup': ['ROLLUP#*'],
    };
    for (const { entry } of functions) {
      const writes = allowedStatementsOf(entry).filter((statement) =>
        statement.actions.some(isTableWrite),
      );
      const expected = partitionsWritten[entry];
      if (expected === undefined) {
        expect({ entry, writes }).toEqual({ entry, writes: [] });
        continue;
      }
      expect(writes.map((statement) => ({ entry, condition: statement.condition }))).toEqual([
        { entry, condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': expected } } },
      ]);
    }
  });

  test('the rollup functions write only rollup run records (partition key ROLLUP#…)', () => {
    for (const entry of ['start-rollup', 'run-rollup'] as const) {
      const writes = allowedStatementsOf(entry).filter((statement) =>
        statement.actions.some(isTableWrite),
      );
      expect(writes).toEqual([
        {
          actions: ['dynamodb:PutItem'],
          resources: [api.resolve(stateful.table.tableArn)],
          condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['ROLLUP#*'] } },
        },
      ]);
    }
    expect(
      allowedStatementsOf('get-rollup')
        .flatMap((statement) => statement.actions)
        .filter(isTableWrite),
    ).toEqual([]);
  });
});

describe('7. configuration (cdk.json context)', () => {
  // Bundling is skipped here: only the context's effects are under test.
  const appWith = (context: Record<string, unknown>) =>
    new App({
      context: { ...cdkContext, 'aws:cdk:bundling-stacks': [], ...context },
      outdir: mkdtempSync(join(outdir, 'context-')),
    });

  test('cdk.json configures Shanxi (14), the 02:00 schedule and an alarm address, tracing off', () => {
    expect(cdkJsonContext).toMatchObject({
      provinceCode: '14',
      provinceName: '山西省',
      rollupSchedule: 'cron(0 2 * * ? *)',
      alarmEmail: expect.stringMatching(/@/),
      tracing: false,
    });
  });

  test('resources are tagged with the application and the province; descriptions name it', () => {
    for (const stack of [stateful, api]) {
      expect(stack.templateOptions.description).toMatch(/^County library reports, province 14: /);
    }
    const tags = [
      { Key: 'application', Value: 'county-library-reports' },
      { Key: 'province', Value: '14' },
    ];
    statefulTemplate.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      Replicas: [Match.objectLike({ Tags: Match.arrayWith(tags) })],
    });
    statefulTemplate.allResourcesProperties('AWS::S3::Bucket', { Tags: Match.arrayWith(tags) });
    apiTemplate.allResourcesProperties('AWS::Lambda::Function', { Tags: Match.arrayWith(tags) });
    apiTemplate.allResourcesProperties('AWS::CloudWatch::Alarm', {
      Tags: Match.arrayWith(tags),
      AlarmDescription: Match.stringLikeRegexp('^\\[province 14\\] '),
    });
  });

  test('the province must have a registry file with the same name', () => {
    expect(() => createStacks(appWith({ provinceCode: '99' }))).toThrow(
      /libraries-99\.json does not exist/,
    );
    expect(() => createStacks(appWith({ provinceName: '河北省' }))).toThrow(/"山西省"/);
    expect(() => createStacks(appWith({ provinceCode: 14 }))).toThrow(/two-digit/);
  });

  test('alarmEmail is required; the placeholder of cdk.json makes synth warn', () => {
    expect(() => createStacks(appWith({ alarmEmail: undefined }))).toThrow(/alarmEmail/);
    expect(() => createStacks(appWith({ alarmEmail: 'ops' }))).toThrow(/alarmEmail/);
    const placeholder = createStacks(appWith({ alarmEmail: cdkJsonContext.alarmEmail }));
    // CDK prints the warning as it synthesizes; here it is expected, not noise.
    const printed = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      Annotations.fromStack(placeholder.api).hasWarning(
        '*',
        Match.stringLikeRegexp('reserved example address'),
      );
      expect(printed).toHaveBeenCalledWith(expect.stringContaining('reserved example address'));
    } finally {
      printed.mockRestore();
    }
  });

  test('Cognito mails with its own sender unless sesFromEmail names an SES identity', () => {
    statefulTemplate.hasResourceProperties('AWS::Cognito::UserPool', {
      EmailConfiguration: { EmailSendingAccount: 'COGNITO_DEFAULT' },
    });
    const withSes = createStacks(
      appWith({
        sesFromEmail: 'reports@wenhua.example.org',
        sesFromName: '山西省图书馆',
        sesRegion: 'ap-southeast-1',
        sesVerifiedDomain: 'wenhua.example.org',
      }),
    );
    const template = Template.fromStack(withSes.stateful);
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      EmailConfiguration: {
        EmailSendingAccount: 'DEVELOPER',
        // A name outside ASCII goes into the header as an RFC 2047 encoded word.
        From: `=?UTF-8?B?${Buffer.from('山西省图书馆').toString('base64')}?= <reports@wenhua.example.org>`,
        SourceArn: Match.objectLike({
          'Fn::Join': [
            '',
            Match.arrayWith([':ses:ap-southeast-1:', ':identity/wenhua.example.org']),
          ],
        }),
      },
    });
  });

  test('sesFromEmail alone uses SES in the stacks own region, known or not at synth', () => {
    const template = Template.fromStack(
      createStacks(appWith({ sesFromEmail: 'reports@wenhua.example.org' })).stateful,
    );
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      EmailConfiguration: {
        EmailSendingAccount: 'DEVELOPER',
        From: 'reports@wenhua.example.org',
        SourceArn: Match.objectLike({
          'Fn::Join': ['', Match.arrayWith([{ Ref: 'AWS::Region' }])],
        }),
      },
    });
  });

  test('the SES settings name what is wrong with them', () => {
    expect(() => createStacks(appWith({ sesFromEmail: 'reports' }))).toThrow(/"sesFromEmail"/);
    expect(() => createStacks(appWith({ sesFromEmail: '图书馆@wenhua.example.org' }))).toThrow(
      /"sesFromEmail" must be .* ASCII before the @/,
    );
    expect(() => createStacks(appWith({ sesRegion: 'us-east-1' }))).toThrow(
      /"sesRegion" applies only with "sesFromEmail"/,
    );
    const sender = { sesFromEmail: 'reports@wenhua.example.org' };
    expect(() => createStacks(appWith({ ...sender, sesRegion: 'singapore' }))).toThrow(
      /"sesRegion"/,
    );
    expect(() => createStacks(appWith({ ...sender, sesFromName: ' ' }))).toThrow(/"sesFromName"/);
    expect(() =>
      createStacks(appWith({ ...sender, sesVerifiedDomain: 'other.example.org' })),
    ).toThrow(/"sesVerifiedDomain" must be the domain/);
  });

  test('context tracing=true turns on X-Ray for every function, with its permissions', () => {
    const traced = Template.fromStack(createStacks(appWith({ tracing: 'true' })).api);
    traced.allResourcesProperties('AWS::Lambda::Function', { TracingConfig: { Mode: 'Active' } });
    const policies = Object.values(traced.findResources('AWS::IAM::Policy'));
    const withXray = policies.filter((policy) =>
      PolicyResource.parse(policy).Properties.PolicyDocument.Statement.some(
        (statement) =>
          sameResources(statement.Action, ['xray:PutTelemetryRecords', 'xray:PutTraceSegments']) &&
          statement.Resource === '*',
      ),
    );
    expect(withXray).toHaveLength(functions.length);
    expect(() => createStacks(appWith({ tracing: 'yes' }))).toThrow(/tracing/);
  });

  test('webOrigin sets the CORS origin and the Cognito callback URL', () => {
    const origin = 'https://reports.example.org';
    const stacks = createStacks(appWith({ webOrigin: origin }));
    Template.fromStack(stacks.api).hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: { AllowOrigins: [origin] },
    });
    Template.fromStack(stacks.stateful).hasResourceProperties('AWS::Cognito::UserPoolClient', {
      CallbackURLs: [origin],
    });
  });

  test('webOrigin lets only the web origin upload evidence and read rollup files from the buckets', () => {
    const statefulWithOrigin = Template.fromStack(
      createStacks(appWith({ webOrigin: 'https://reports.example.org' })).stateful,
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
    statefulWithOrigin.hasResourceProperties(
      'AWS::S3::Bucket',
      corsOf(['POST', 'PUT', 'GET', 'HEAD']),
    );
    statefulWithOrigin.hasResourceProperties('AWS::S3::Bucket', corsOf(['GET', 'HEAD']));
  });

  test('webOrigin must be a bare origin', () => {
    expect(() => createStacks(appWith({ webOrigin: 'https://reports.example.org/app/' }))).toThrow(
      /bare origin/,
    );
  });
});
