import { join } from 'node:path';
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, TimeZone } from 'aws-cdk-lib';
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
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  Stats,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IUserPool, IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { FilterPattern, LogGroup, MetricFilter, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import {
  type EvidenceAccess,
  type FunctionDefinition,
  type FunctionEntry,
  functions,
  type ReportsAccess,
  type RouteDefinition,
  routes,
} from '../functions/routes.js';
import {
  EVIDENCE_PREFIX,
  ROLLUP_PREFIX,
  ROLLUP_RUN_PARTITION_PREFIX,
  resourceEnv,
} from './resources.js';
import {
  ROLLUP_SCHEDULE_TIMEZONE,
  repoRoot,
  rollupScheduleOf,
  SERVICE_NAME,
  webOriginOf,
} from './settings.js';

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
  /** Where the alarms of asynchronous work (rollups) notify; subscribe operators to it. */
  readonly alarmTopic: Topic;

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

    this.alarmTopic = new Topic(this, 'AlarmTopic', {
      displayName: 'County library reports: failed background work',
    });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarmTopic.topicArn });
    const scheduleExpression = rollupScheduleOf(this);
    for (const definition of functions as readonly FunctionDefinition[]) {
      const handler = functionsByEntry.get(definition.entry as FunctionEntry);
      if (handler === undefined) throw new Error(`No function for ${definition.entry}`);
      if (definition.invokes !== undefined) {
        const target = functionsByEntry.get(definition.invokes as FunctionEntry);
        if (target === undefined) {
          throw new Error(`${definition.entry} invokes "${definition.invokes}", not in the table`);
        }
        // lambda:InvokeFunction on that one function only.
        target.grantInvoke(handler);
        handler.addEnvironment(resourceEnv.rollupFunction, target.functionName);
      }
      if (definition.asyncInvocation !== undefined) {
        this.configureAsyncWork(definition, handler, definition.asyncInvocation);
      }
      if (definition.nightly !== undefined) {
        this.scheduleNightly(definition, handler, definition.nightly.payload, scheduleExpression);
      }
    }

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

  private alarmOn(id: string, metric: IMetric, description: string): Alarm {
    const alarm = new Alarm(this, id, {
      metric,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    });
    alarm.addAlarmAction(new SnsAction(this.alarmTopic));
    return alarm;
  }

  private deadLetterQueue(id: string): Queue {
    const queue = new Queue(this, id, {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    this.alarmOn(
      `${id}Alarm`,
      queue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: Stats.MAXIMUM,
      }),
      `Events are waiting in ${id}: background work failed for good; inspect and redrive them.`,
    );
    return queue;
  }

  /**
   * An asynchronously invoked function: Lambda retries a failed event, then hands it to a
   * dead-letter queue; alarms on its errors, on failed runs it logs and on the queue.
   */
  private configureAsyncWork(
    definition: FunctionDefinition,
    handler: NodejsFunction,
    options: NonNullable<FunctionDefinition['asyncInvocation']>,
  ) {
    const id = pascalCase(definition.entry);
    handler.configureAsyncInvoke({
      retryAttempts: options.retryAttempts,
      maxEventAge: Duration.minutes(options.maxEventAgeMinutes),
      onFailure: new SqsDestination(this.deadLetterQueue(`${id}DeadLetterQueue`)),
    });
    this.alarmOn(
      `${id}ErrorsAlarm`,
      handler.metricErrors({ period: Duration.minutes(5), statistic: Stats.SUM }),
      `${definition.entry} failed (after its retries the event goes to the dead-letter queue).`,
    );
    // A scheduled night records a failed period on its run and carries on (it does not throw),
    // so failed runs are counted from the worker's structured log lines as well.
    const failedRuns = new MetricFilter(this, `${id}FailedRunsFilter`, {
      logGroup: handler.logGroup,
      filterPattern: FilterPattern.stringValue('$.message', '=', 'Rollup run failed'),
      metricNamespace: 'CountyLibraryReports',
      metricName: `${id}FailedRuns`,
      metricValue: '1',
    });
    this.alarmOn(
      `${id}FailedRunsAlarm`,
      failedRuns.metric({ period: Duration.minutes(5), statistic: Stats.SUM }),
      `A ${definition.entry} run failed; its error is on the run record and in the logs.`,
    );
  }

  /** EventBridge Scheduler invokes the function every night, Beijing time, with `payload`. */
  private scheduleNightly(
    definition: FunctionDefinition,
    handler: NodejsFunction,
    payload: Readonly<Record<string, unknown>>,
    expression: string,
  ) {
    const id = pascalCase(definition.entry);
    new Schedule(this, `${id}NightlySchedule`, {
      description: `Nightly ${definition.entry} (${expression}, ${ROLLUP_SCHEDULE_TIMEZONE})`,
      schedule: ScheduleExpression.expression(expression, TimeZone.of(ROLLUP_SCHEDULE_TIMEZONE)),
      target: new LambdaInvoke(handler, {
        input: ScheduleTargetInput.fromObject(payload),
        // Retries when the invocation itself fails (throttling, Lambda unavailable); the
        // function's own failures are handled by its asynchronous retries and DLQ.
        retryAttempts: 5,
        maxEventAge: Duration.hours(2),
        deadLetterQueue: this.deadLetterQueue(`${id}ScheduleDeadLetterQueue`),
      }),
    });
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
      memorySize: definition.memorySize ?? 512,
      timeout: Duration.seconds(definition.timeoutSeconds ?? 10),
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
    const reportsActions = (definition.reports ?? []).map((access) => REPORTS_ACTIONS[access]);
    if (reportsActions.length > 0) {
      handler.addToRolePolicy(
        new PolicyStatement({
          actions: reportsActions,
          resources: [props.reportsBucket.arnForObjects(`${ROLLUP_PREFIX}*`)],
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
      case 'readWriteRuns':
        props.table.grantReadData(handler);
        // Writes only to rollup run partitions: IAM checks the partition key of every item.
        handler.addToRolePolicy(
          new PolicyStatement({
            actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
            resources: [props.table.tableArn],
            conditions: {
              'ForAllValues:StringLike': {
                'dynamodb:LeadingKeys': [`${ROLLUP_RUN_PARTITION_PREFIX}*`],
              },
            },
          }),
        );
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

const REPORTS_ACTIONS: Record<ReportsAccess, string> = {
  put: 's3:PutObject',
  get: 's3:GetObject',
};

const toHttpMethod = (method: RouteDefinition['method']): HttpMethod => HttpMethod[method];
