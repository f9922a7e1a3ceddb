import { join } from 'node:path';
import {
  Annotations,
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  TimeZone,
} from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type CfnStage,
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpRoute,
  HttpRouteKey,
  type HttpStage,
  type IHttpRouteAuthorizer,
  LogGroupLogDestination,
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
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  ApplicationLogLevel,
  Architecture,
  LoggingFormat,
  Runtime,
  SystemLogLevel,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { FilterPattern, LogGroup, MetricFilter } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import {
  type FunctionDefinition,
  type FunctionEntry,
  functions,
  type RouteDefinition,
  routes,
} from '../functions/routes.js';
import { LAMBDA_BUNDLING } from './bundling.js';
import { acknowledge, acknowledgeCrossStackWildcard, wildcardResourceFinding } from './nag.js';
import { type BucketName, permissionsOf } from './permissions.js';
import { mainTable, resourceEnv, UPLOAD_PREFIX } from './resources.js';
import {
  ACCESS_LOG_RETENTION,
  API_THROTTLE,
  alarmEmailOf,
  FUNCTION_LOG_RETENTION,
  isPlaceholderEmail,
  provinceOf,
  ROLLUP_SCHEDULE_TIMEZONE,
  ROUTE_THROTTLES,
  repoRoot,
  rollupScheduleOf,
  SERVICE_NAME,
  tracingEnabledOf,
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

/** Where the metric filters of the functions' structured logs publish. */
export const METRIC_NAMESPACE = 'CountyLibraryReports';

/**
 * Functions behind an S3 trigger are invoked asynchronously by EventBridge; Lambda retries a
 * failed event like this before it goes to the dead-letter queue.
 */
const TRIGGERED_ASYNC_INVOCATION = { retryAttempts: 2, maxEventAgeMinutes: 60 } as const;

/** The nightly rollup must have succeeded at least once in this many hours. */
export const ROLLUP_SUCCESS_WINDOW_HOURS = 26;

/**
 * One JSON object per request: who (source IP, token subject), what (route, path), the outcome
 * (status, latencies) and why it failed (authorizer and integration errors).
 */
export const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  ip: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  sub: '$context.authorizer.claims.sub',
  httpMethod: '$context.httpMethod',
  routeKey: '$context.routeKey',
  path: '$context.path',
  protocol: '$context.protocol',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  integrationStatus: '$context.integrationStatus',
  integrationError: '$context.integrationErrorMessage',
  authorizerError: '$context.authorizer.error',
} as const;

/**
 * The stateless HTTP API: one Lambda per entry of the function table and one route per entry of
 * the route table (functions/routes.ts), which the local server serves identically.
 */
export class ApiStack extends Stack {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogs: LogGroup;
  readonly functionsByEntry: ReadonlyMap<FunctionEntry, NodejsFunction>;
  /** Where every alarm notifies; the alarm e-mail (context `alarmEmail`) is subscribed. */
  readonly alarmTopic: Topic;
  private readonly provinceCode: string;
  private readonly tracing: boolean;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    this.provinceCode = provinceOf(this).code;
    this.tracing = tracingEnabledOf(this);

    this.alarmTopic = new Topic(this, 'AlarmTopic', {
      displayName: `County library reports ${this.provinceCode}: alarms`,
      enforceSSL: true,
    });
    // enforceSSL gives the topic a policy of its own, which replaces SNS's default one (that let
    // the account's services publish): without this statement every alarm would fail to notify
    // ("not authorized to perform: SNS:Publish"). Only this account's alarms may publish.
    this.alarmTopic.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.alarmTopic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': this.account },
          ArnLike: {
            'aws:SourceArn': `arn:${this.partition}:cloudwatch:${this.region}:${this.account}:alarm:*`,
          },
        },
      }),
    );
    const alarmEmail = alarmEmailOf(this);
    if (isPlaceholderEmail(alarmEmail)) {
      Annotations.of(this).addWarningV2(
        'county-library-reports:placeholder-alarm-email',
        `alarmEmail is ${alarmEmail}, a reserved example address: alarms will reach nobody. Set the operators' address in cdk.json (docs/deploy.md).`,
      );
    }
    this.alarmTopic.addSubscription(new EmailSubscription(alarmEmail));
    acknowledge(
      this.alarmTopic,
      'Serverless-SNSRedrivePolicy',
      "The only subscription is the operators' e-mail address; an alarm whose notification is lost stays in ALARM in CloudWatch, so a dead-letter queue of notifications would add nothing but a queue nobody reads.",
    );
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarmTopic.topicArn });

    // Every request, in JSON, for a year; audit data, so kept even if the stack is deleted.
    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: ACCESS_LOG_RETENTION,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.api = new HttpApi(this, 'HttpApi', {
      description: 'County library reports API',
      // The $default stage is added below, with throttling and access logging.
      createDefaultStage: false,
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
    // The same construct id as the stage HttpApi creates by default, so it is updated in place.
    this.stage = this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: API_THROTTLE,
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
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

    const scheduleExpression = rollupScheduleOf(this);
    for (const definition of functions as readonly FunctionDefinition[]) {
      const handler = functionsByEntry.get(definition.entry as FunctionEntry);
      if (handler === undefined) throw new Error(`No function for ${definition.entry}`);
      if (definition.invokes !== undefined) {
        const target = functionsByEntry.get(definition.invokes as FunctionEntry);
        if (target === undefined) {
          throw new Error(`${definition.entry} invokes "${definition.invokes}", not in the table`);
        }
        // lambda:InvokeFunction on that one function, unqualified (no versions or aliases), as
        // permissionsOf lists it.
        target.grantInvokeLatestVersion(handler);
        handler.addEnvironment(resourceEnv.rollupFunction, target.functionName);
      }
      const asyncInvocation =
        definition.asyncInvocation ??
        (definition.s3Trigger !== undefined ? TRIGGERED_ASYNC_INVOCATION : undefined);
      if (asyncInvocation !== undefined) {
        this.configureAsyncWork(definition, handler, asyncInvocation);
      } else {
        acknowledge(
          handler,
          'Serverless-LambdaDLQ',
          `${definition.entry} is only invoked synchronously by API Gateway: the caller receives every failure, and a dead-letter queue only ever receives failed asynchronous events.`,
        );
      }
      if (definition.entry === 'run-rollup') this.alarmOnMissingRollups(handler);
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

    const routesByKey = new Map<string, HttpRoute>();
    for (const route of routes) {
      const authorizer: IHttpRouteAuthorizer = route.auth === 'jwt' ? jwtAuthorizer : publicAccess;
      const routeKey = `${route.method} ${route.path}`;
      const httpRoute = new HttpRoute(this, `${pascalCase(routeKey)}Route`, {
        httpApi: this.api,
        routeKey: HttpRouteKey.with(route.path, toHttpMethod(route.method)),
        integration: integrationFor(route.function),
        authorizer,
      });
      routesByKey.set(routeKey, httpRoute);
      // Any other public route must be justified on its own: cdk-nag reports it.
      if (route.auth === 'public' && route.function === 'health') {
        acknowledge(
          httpRoute,
          'AwsSolutions-APIG4',
          `${routeKey} is the readiness probe for uptime monitors, which have no token: it answers {"status":"ok"} or 503 and reveals no data; it is throttled with the rest of the stage.`,
        );
      }
    }
    this.throttleRoutes(routesByKey);

    new CfnOutput(this, 'ApiUrl', { value: this.api.apiEndpoint });
  }

  /**
   * Tighter limits for expensive routes (ROUTE_THROTTLES). API Gateway rejects route settings for
   * routes that do not exist yet, so the stage waits for them.
   */
  private throttleRoutes(routesByKey: ReadonlyMap<string, HttpRoute>) {
    const routeSettings: Record<
      string,
      { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }
    > = {};
    for (const { routeKey, rateLimit, burstLimit } of ROUTE_THROTTLES) {
      const route = routesByKey.get(routeKey);
      if (route === undefined) throw new Error(`Throttled route ${routeKey} is not in the table`);
      this.stage.node.addDependency(route);
      routeSettings[routeKey] = {
        ThrottlingRateLimit: rateLimit,
        ThrottlingBurstLimit: burstLimit,
      };
    }
    // RouteSettings is free-form JSON in CloudFormation: CDK passes it through unconverted, so it
    // is written with CloudFormation's own property names.
    (this.stage.node.defaultChild as CfnStage).addPropertyOverride('RouteSettings', routeSettings);
  }

  /** Fires on the first occurrence in a period; notifies the alarm topic. */
  private alarmOn(id: string, metric: IMetric, description: string): Alarm {
    const alarm = new Alarm(this, id, {
      metric,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: `[province ${this.provinceCode}] ${description}`,
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
    for (const rule of ['AwsSolutions-SQS3', 'Serverless-SQSRedrivePolicy']) {
      acknowledge(
        queue,
        rule,
        'This queue is itself a dead-letter queue: failed events wait here 14 days for inspection and redrive (docs/deploy.md), and an alarm fires as soon as one arrives.',
      );
    }
    new CfnOutput(this, `${id}Url`, {
      value: queue.queueUrl,
      description:
        'Dead-letter queue: inspect and redrive (docs/deploy.md, "Alarms and failed background work")',
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
   * dead-letter queue; for the rollup, an alarm also counts the failed runs it logs.
   */
  private configureAsyncWork(
    definition: FunctionDefinition,
    handler: NodejsFunction,
    options: NonNullable<FunctionDefinition['asyncInvocation']>,
  ) {
    const id = pascalCase(definition.entry);
    // Operators invoke it by name to redrive failed events (docs/deploy.md).
    new CfnOutput(this, `${id}FunctionName`, { value: handler.functionName });
    handler.configureAsyncInvoke({
      retryAttempts: options.retryAttempts,
      maxEventAge: Duration.minutes(options.maxEventAgeMinutes),
      onFailure: new SqsDestination(this.deadLetterQueue(`${id}DeadLetterQueue`)),
    });
    acknowledge(
      handler,
      'Serverless-LambdaDLQ',
      `${definition.entry}'s failed asynchronous events go to an SQS on-failure destination (its dead-letter queue), which records the error with the event; a DeadLetterConfig as well would put every failure in a second queue.`,
    );
    if (definition.entry !== 'run-rollup') return;
    // A scheduled night records a failed period on its run and carries on (it does not throw),
    // so failed runs are counted from the worker's structured log lines as well.
    const failedRuns = new MetricFilter(this, `${id}FailedRunsFilter`, {
      logGroup: handler.logGroup,
      filterPattern: FilterPattern.stringValue('$.message', '=', 'Rollup run failed'),
      metricNamespace: METRIC_NAMESPACE,
      metricName: `${id}FailedRuns`,
      metricValue: '1',
    });
    this.alarmOn(
      `${id}FailedRunsAlarm`,
      failedRuns.metric({ period: Duration.minutes(5), statistic: Stats.SUM }),
      `A ${definition.entry} run failed; its error is on the run record and in the logs.`,
    );
  }

  /**
   * The rollup worker logs `Rollup run finished` with `status: "succeeded"` (functions/
   * run-rollup.ts) for every published run. An hour without one counts as missing data, which
   * breaches: the alarm fires once 26 hourly periods in a row had no successful run, i.e. a
   * night was skipped, failed or never ran.
   */
  private alarmOnMissingRollups(handler: NodejsFunction) {
    const succeededRuns = new MetricFilter(this, 'RunRollupSucceededRunsFilter', {
      logGroup: handler.logGroup,
      filterPattern: FilterPattern.all(
        FilterPattern.stringValue('$.message', '=', 'Rollup run finished'),
        FilterPattern.stringValue('$.status', '=', 'succeeded'),
      ),
      metricNamespace: METRIC_NAMESPACE,
      metricName: 'RunRollupSucceededRuns',
      metricValue: '1',
    });
    const alarm = new Alarm(this, 'RunRollupNoSuccessAlarm', {
      metric: succeededRuns.metric({ period: Duration.hours(1), statistic: Stats.SUM }),
      threshold: 1,
      evaluationPeriods: ROLLUP_SUCCESS_WINDOW_HOURS,
      datapointsToAlarm: ROLLUP_SUCCESS_WINDOW_HOURS,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.BREACHING,
      alarmDescription: `[province ${this.provinceCode}] No rollup run succeeded in the last ${ROLLUP_SUCCESS_WINDOW_HOURS} hours: the nightly schedule did not run or its runs failed.`,
    });
    alarm.addAlarmAction(new SnsAction(this.alarmTopic));
  }

  /** EventBridge Scheduler invokes the function every night, Beijing time, with `payload`. */
  private scheduleNightly(
    definition: FunctionDefinition,
    handler: NodejsFunction,
    payload: Readonly<Record<string, unknown>>,
    expression: string,
  ) {
    const id = pascalCase(definition.entry);
    // A role of its own (CDK would share one per target) that only this schedule may assume.
    const role = new Role(this, `${id}ScheduleRole`, {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
      description: `EventBridge Scheduler: invokes ${definition.entry} every night`,
    });
    new Schedule(this, `${id}NightlySchedule`, {
      description: `Nightly ${definition.entry} (${expression}, ${ROLLUP_SCHEDULE_TIMEZONE})`,
      schedule: ScheduleExpression.expression(expression, TimeZone.of(ROLLUP_SCHEDULE_TIMEZONE)),
      target: new LambdaInvoke(handler, {
        input: ScheduleTargetInput.fromObject(payload),
        role,
        // Retries when the invocation itself fails (throttling, Lambda unavailable); the
        // function's own failures are handled by its asynchronous retries and DLQ.
        retryAttempts: 5,
        maxEventAge: Duration.hours(2),
        deadLetterQueue: this.deadLetterQueue(`${id}ScheduleDeadLetterQueue`),
      }),
    });
    acknowledge(
      role,
      wildcardResourceFinding(this, `${handler.functionArn}:*`),
      "CDK's scheduler target grants lambda:InvokeFunction on the one worker function and its versions (<arn>:*); no other function is reachable.",
    );
  }

  private createFunction(definition: FunctionDefinition, props: ApiStackProps): NodejsFunction {
    const id = pascalCase(definition.entry);
    // An explicit log group, so retention is set by CloudFormation rather than a custom resource.
    const logGroup = new LogGroup(this, `${id}Logs`, {
      retention: FUNCTION_LOG_RETENTION,
      // Logs belong to the stateless stack; replacing it should not leave orphans behind.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // A role of its own instead of AWSLambdaBasicExecutionRole: it may write to this log group
    // only, not create log groups or write to any other.
    const role = new Role(this, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `${definition.entry}: its log group and the access functions/routes.ts declares`,
    });
    logGroup.grantWrite(role);
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
      role,
      logGroup,
      // Powertools already writes JSON; Lambda passes it through unchanged and writes its own
      // platform lines (START, REPORT) as JSON too, so every line can be queried by field.
      loggingFormat: LoggingFormat.JSON,
      applicationLogLevelV2: ApplicationLogLevel.INFO,
      systemLogLevelV2: SystemLogLevel.INFO,
      tracing: this.tracing ? Tracing.ACTIVE : Tracing.DISABLED,
      environment: {
        [resourceEnv.tableName]: props.table.tableName,
        [resourceEnv.evidenceBucket]: props.evidenceBucket.bucketName,
        [resourceEnv.reportsBucket]: props.reportsBucket.bucketName,
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
      },
      // The esbuild options the benchmark also builds with (infra/bundling.ts).
      bundling: {
        format: LAMBDA_BUNDLING.format === 'cjs' ? OutputFormat.CJS : OutputFormat.ESM,
        minify: LAMBDA_BUNDLING.minify,
        sourceMap: LAMBDA_BUNDLING.sourcemap,
        sourcesContent: LAMBDA_BUNDLING.sourcesContent,
        target: LAMBDA_BUNDLING.target,
        mainFields: [...LAMBDA_BUNDLING.mainFields],
        esbuildArgs: Object.fromEntries(
          Object.entries(LAMBDA_BUNDLING.alias).map(([from, to]) => [`--alias:${from}`, to]),
        ),
        // Ship the SDK versions we test against instead of whatever the runtime happens to have.
        bundleAwsSDK: true,
        logLevel: LogLevel.WARNING,
      },
    });
    for (const rule of ['AwsSolutions-L1', 'Serverless-LambdaLatestVersion']) {
      acknowledge(
        handler,
        rule,
        'Pinned to nodejs22.x on purpose: the project runs and tests every handler on Node 22 (the `node` devDependency, esbuild target node22); move runtime, target and that dependency to the next LTS together.',
      );
    }
    if (this.tracing) {
      acknowledge(
        role,
        wildcardResourceFinding(this, '*'),
        'X-Ray (context tracing=true): xray:PutTraceSegments and xray:PutTelemetryRecords have no resource-level permissions, so they can only be granted on "*".',
      );
    } else {
      acknowledge(
        handler,
        'Serverless-LambdaTracing',
        'X-Ray tracing is behind the context flag `tracing` (off by default: traces cost money and the structured logs carry correlation ids); deploy with -c tracing=true to turn it on.',
      );
    }
    this.alarmOn(
      `${id}ErrorsAlarm`,
      handler.metricErrors({ period: Duration.minutes(5), statistic: Stats.SUM }),
      `${definition.entry} failed (an unhandled error or a timeout; handled errors are answered as problems and do not count).`,
    );
    this.alarmOn(
      `${id}ThrottlesAlarm`,
      handler.metricThrottles({ period: Duration.minutes(5), statistic: Stats.SUM }),
      `${definition.entry} was throttled: the account's Lambda concurrency is exhausted.`,
    );

    this.grantPermissions(definition, handler, role, props);
    if (definition.s3Trigger === 'evidence') {
      // S3 "Object Created" events for uploads, delivered through EventBridge (not for the
      // verified copies this function writes itself).
      new Rule(this, `${id}UploadedRule`, {
        description: 'Verify evidence as soon as it is uploaded',
        eventPattern: {
          source: ['aws.s3'],
          detailType: ['Object Created'],
          detail: {
            bucket: { name: [props.evidenceBucket.bucketName] },
            object: { key: [{ prefix: UPLOAD_PREFIX }] },
          },
        },
        targets: [
          new LambdaFunction(handler, {
            // Retries when EventBridge cannot invoke the function, then keeps the event.
            retryAttempts: 4,
            maxEventAge: Duration.hours(2),
            deadLetterQueue: this.deadLetterQueue(`${id}UploadedRuleDeadLetterQueue`),
          }),
        ],
      });
    }
    return handler;
  }

  /**
   * The role's statements, one per permission of infra/permissions.ts (which the local stack
   * enforces too); invoking another function is granted once all functions exist.
   */
  private grantPermissions(
    definition: FunctionDefinition,
    handler: NodejsFunction,
    role: Role,
    props: ApiStackProps,
  ) {
    const bucketOf = (name: BucketName) =>
      name === 'evidence' ? props.evidenceBucket : props.reportsBucket;
    for (const permission of permissionsOf(definition)) {
      const { resource } = permission;
      const actions = [...permission.actions];
      if (resource.kind === 'table') {
        handler.addToRolePolicy(
          new PolicyStatement({
            actions,
            resources: [props.table.tableArn],
            ...(permission.partitionKeyPrefixes === undefined
              ? {}
              : {
                  // IAM checks the partition key of every item written.
                  conditions: {
                    'ForAllValues:StringLike': {
                      'dynamodb:LeadingKeys': permission.partitionKeyPrefixes.map(
                        (prefix) => `${prefix}*`,
                      ),
                    },
                  },
                }),
          }),
        );
      } else if (resource.kind === 'tableIndexes') {
        const indexArns = mainTable.globalSecondaryIndexes.map(
          (index) => `${props.table.tableArn}/index/${index.indexName}`,
        );
        handler.addToRolePolicy(new PolicyStatement({ actions, resources: indexArns }));
      } else if (resource.kind === 'objects') {
        const objects = bucketOf(resource.bucket).arnForObjects(`${resource.prefix}*`);
        handler.addToRolePolicy(new PolicyStatement({ actions, resources: [objects] }));
        acknowledgeCrossStackWildcard(
          role,
          objects,
          `Object actions (${actions.join(', ')}) on the ${resource.prefix} key prefix only: ${OBJECT_KEYS_WHY[resource.bucket]}, so a prefix is the narrowest resource.`,
        );
      } else if (resource.kind === 'bucket') {
        handler.addToRolePolicy(
          new PolicyStatement({ actions, resources: [bucketOf(resource.bucket).bucketArn] }),
        );
      }
    }
  }
}

const OBJECT_KEYS_WHY: Record<BucketName, string> = {
  evidence: 'object keys are created by uploads',
  reports: 'each run writes its files under a new prefix',
};

const toHttpMethod = (method: RouteDefinition['method']): HttpMethod => HttpMethod[method];
