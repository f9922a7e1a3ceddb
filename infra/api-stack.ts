import { join } from 'node:path';
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import {
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpRoute,
  HttpRouteKey,
  type IHttpRouteAuthorizer,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IUserPool, IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import {
  type EvidenceAccess,
  type FunctionDefinition,
  type FunctionEntry,
  functions,
  type RouteDefinition,
  routes,
} from '../functions/routes.js';
import { EVIDENCE_PREFIX, resourceEnv } from './resources.js';
import { repoRoot, SERVICE_NAME, webOriginOf } from './settings.js';

export interface ApiStackProps extends StackProps {
  table: ITableV2;
  evidenceBucket: IBucket;
  reportsBucket: IBucket;
  userPool: IUserPool;
  webClient: IUserPoolClient;
}

/** `list-libraries` → `ListLibraries`; `GET /api/libraries/{id}` → `GetApiLibrariesId`. */
const pascalCase = (text: string): string =>
  text
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1).toLowerCase())
    .join('');

/** esbuild's ESM output has no `require`; CommonJS dependencies bundled into it still call it. */
const ESM_REQUIRE_BANNER =
  "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/**
 * The stateless HTTP API: one Lambda per entry of the function table and one route per entry of
 * the route table (functions/routes.ts), which the local server serves identically.
 */
export class ApiStack extends Stack {
  readonly api: HttpApi;
  readonly functionsByEntry: ReadonlyMap<FunctionEntry, NodejsFunction>;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);

    this.api = new HttpApi(this, 'HttpApi', {
      description: 'County library reports API',
      corsPreflight: {
        allowOrigins: [webOriginOf(this)],
        allowMethods: [
          CorsHttpMethod.GET,
          CorsHttpMethod.PUT,
          CorsHttpMethod.POST,
          CorsHttpMethod.DELETE,
          CorsHttpMethod.OPTIONS,
        ],
        allowHeaders: ['authorization', 'content-type', 'x-correlation-id'],
        exposeHeaders: ['x-correlation-id'],
        maxAge: Duration.hours(1),
      },
    });

    // Verifies Cognito tokens before any Lambda runs; handlers read the claims it passes on.
    const jwtAuthorizer = new HttpJwtAuthorizer(
      'CognitoJwtAuthorizer',
      `https://cognito-idp.${this.region}.amazonaws.com/${props.userPool.userPoolId}`,
      {
        jwtAudience: [props.webClient.userPoolClientId],
        identitySource: ['$request.header.Authorization'],
      },
    );
    const publicAccess = new HttpNoneAuthorizer();

    const functionsByEntry = new Map<FunctionEntry, NodejsFunction>();
    for (const definition of functions) {
      functionsByEntry.set(definition.entry, this.createFunction(definition, props));
    }
    this.functionsByEntry = functionsByEntry;

    // One integration per function, shared by all of its routes.
    const integrations = new Map<FunctionEntry, HttpLambdaIntegration>();
    const integrationFor = (entry: FunctionEntry): HttpLambdaIntegration => {
      const existing = integrations.get(entry);
      if (existing !== undefined) return existing;
      const handler = functionsByEntry.get(entry);
      if (handler === undefined) {
        throw new Error(`Route target "${entry}" is not in the function table`);
      }
      const integration = new HttpLambdaIntegration(`${pascalCase(entry)}Integration`, handler);
      integrations.set(entry, integration);
      return integration;
    };

    for (const route of routes) {
      const authorizer: IHttpRouteAuthorizer = route.auth === 'jwt' ? jwtAuthorizer : publicAccess;
      new HttpRoute(this, `${pascalCase(`${route.method} ${route.path}`)}Route`, {
        httpApi: this.api,
        routeKey: HttpRouteKey.with(route.path, toHttpMethod(route.method)),
        integration: integrationFor(route.function),
        authorizer,
      });
    }

    new CfnOutput(this, 'ApiUrl', { value: this.api.apiEndpoint });
  }

  private createFunction(definition: FunctionDefinition, props: ApiStackProps): NodejsFunction {
    const id = pascalCase(definition.entry);
    // An explicit log group, so retention is set by CloudFormation rather than a custom resource.
    const logGroup = new LogGroup(this, `${id}Logs`, {
      retention: RetentionDays.ONE_MONTH,
      // Logs belong to the stateless stack; replacing it should not leave orphans behind.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const handler = new NodejsFunction(this, `${id}Function`, {
      entry: join(repoRoot, 'functions', `${definition.entry}.ts`),
      handler: 'handler',
      projectRoot: repoRoot,
      depsLockFilePath: join(repoRoot, 'package-lock.json'),
      description: definition.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: 512,
      timeout: Duration.seconds(10),
      logGroup,
      environment: {
        [resourceEnv.tableName]: props.table.tableName,
        [resourceEnv.evidenceBucket]: props.evidenceBucket.bucketName,
        [resourceEnv.reportsBucket]: props.reportsBucket.bucketName,
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        format: OutputFormat.ESM,
        minify: true,
        sourceMap: true,
        target: 'node22',
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        // Ship the SDK versions we test against instead of whatever the runtime happens to have.
        bundleAwsSDK: true,
        logLevel: LogLevel.WARNING,
      },
    });
    const evidenceActions = (definition.evidence ?? []).map((access) => EVIDENCE_ACTIONS[access]);
    if (evidenceActions.length > 0) {
      handler.addToRolePolicy(
        new PolicyStatement({
          actions: evidenceActions,
          resources: [props.evidenceBucket.arnForObjects(`${EVIDENCE_PREFIX}*`)],
        }),
      );
    }
    if (definition.s3Trigger === 'evidence') {
      // S3 "Object Created" events for the evidence prefix, delivered through EventBridge.
      new Rule(this, `${id}UploadedRule`, {
        description: 'Verify evidence as soon as it is uploaded',
        eventPattern: {
          source: ['aws.s3'],
          detailType: ['Object Created'],
          detail: {
            bucket: { name: [props.evidenceBucket.bucketName] },
            object: { key: [{ prefix: EVIDENCE_PREFIX }] },
          },
        },
        targets: [
          new LambdaFunction(handler, { retryAttempts: 4, maxEventAge: Duration.hours(2) }),
        ],
      });
    }
    switch (definition.table) {
      case 'read':
        props.table.grantReadData(handler);
        break;
      case 'readWrite':
        props.table.grantReadWriteData(handler);
        break;
      case 'none':
        break;
    }
    return handler;
  }
}

const EVIDENCE_ACTIONS: Record<EvidenceAccess, string> = {
  put: 's3:PutObject',
  get: 's3:GetObject',
  delete: 's3:DeleteObject',
  tag: 's3:PutObjectTagging',
};

const toHttpMethod = (method: RouteDefinition['method']): HttpMethod => HttpMethod[method];
