import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import {
  AccountRecovery,
  ClientAttributes,
  FeaturePlan,
  ManagedLoginVersion,
  Mfa,
  OAuthScope,
  StringAttribute,
  UserPool,
  type UserPoolClient,
  UserPoolClientIdentityProvider,
  type UserPoolDomain,
  UserPoolEmail,
} from 'aws-cdk-lib/aws-cognito';
import {
  type Attribute,
  AttributeType,
  Billing,
  ProjectionType,
  TableV2,
} from 'aws-cdk-lib/aws-dynamodb';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type BucketProps,
  HttpMethods,
} from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { Role } from '../domain/auth/principal.js';
import { acknowledge, LAMBDA_BASIC_EXECUTION_FINDING } from './nag.js';
import {
  buckets,
  EVIDENCE_DELETED_TAG,
  type KeyAttribute,
  mainTable,
  UPLOAD_PREFIX,
  UPLOAD_RETENTION_DAYS,
} from './resources.js';
import {
  ACCESS_LOG_RETENTION_DAYS,
  cognitoDomainPrefixOf,
  sesSenderOf,
  webOriginOf,
} from './settings.js';

/** Cognito group precedence: the lowest number wins, matching the domain's role precedence. */
const ROLE_GROUP_PRECEDENCE: Record<Role, number> = { admin: 0, province: 1, library: 2 };

const toCdkAttribute = ({ name, type }: KeyAttribute): Attribute => ({
  name,
  type: type === 'S' ? AttributeType.STRING : AttributeType.NUMBER,
});

/**
 * Everything that holds data (table, buckets, user pool), in its own stack so the stateless
 * API stack can be replaced or destroyed freely. All of it is retained on stack deletion.
 */
export class StatefulStack extends Stack {
  readonly table: TableV2;
  readonly evidenceBucket: Bucket;
  readonly reportsBucket: Bucket;
  /** Server access logs of the evidence and reports buckets. */
  readonly accessLogsBucket: Bucket;
  readonly userPool: UserPool;
  readonly webClient: UserPoolClient;
  readonly userPoolDomain: UserPoolDomain;
  /** Host of the hosted sign-in UI and OAuth endpoints: `<prefix>.auth.<region>.amazoncognito.com`. */
  readonly userPoolDomainHost: string;

  constructor(scope: Construct, id: string, props?: StackProps) {
    // Termination protection: `cdk destroy` or a console click cannot delete this stack.
    super(scope, id, { ...props, terminationProtection: true });
    const webOrigin = webOriginOf(this);

    // Keys and indexes come from the definition the local stack also uses, so they cannot drift.
    this.table = new TableV2(this, 'MainTable', {
      partitionKey: toCdkAttribute(mainTable.partitionKey),
      sortKey: toCdkAttribute(mainTable.sortKey),
      timeToLiveAttribute: mainTable.timeToLiveAttribute,
      globalSecondaryIndexes: mainTable.globalSecondaryIndexes.map((index) => ({
        indexName: index.indexName,
        partitionKey: toCdkAttribute(index.partitionKey),
        sortKey: toCdkAttribute(index.sortKey),
        projectionType: ProjectionType.ALL,
      })),
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Who read, wrote or deleted which evidence and report objects, for a year.
    this.accessLogsBucket = new Bucket(this, 'AccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      // S3 delivers server access logs only to buckets with S3-managed keys.
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        { expiration: Duration.days(ACCESS_LOG_RETENTION_DAYS) },
        { abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });

    this.evidenceBucket = this.privateBucket(buckets.evidence, {
      // Uploads reach the verify function through EventBridge: a direct bucket notification
      // would make this stack depend on the API stack's function, and that one on this bucket.
      eventBridgeEnabled: true,
      // Evidence a library deleted is tagged and kept 30 days, then expires; uploads are copied
      // once verified, so what is left of them was abandoned, rejected or sent again.
      lifecycleRules: [
        {
          tagFilters: { [EVIDENCE_DELETED_TAG.Key]: EVIDENCE_DELETED_TAG.Value },
          expiration: Duration.days(30),
        },
        { prefix: UPLOAD_PREFIX, expiration: Duration.days(UPLOAD_RETENTION_DAYS) },
      ],
    });
    // Browsers upload evidence straight to S3 with presigned requests, from the web app only.
    this.evidenceBucket.addCorsRule({
      allowedOrigins: [webOrigin],
      allowedMethods: [HttpMethods.POST, HttpMethods.PUT, HttpMethods.GET, HttpMethods.HEAD],
      allowedHeaders: ['*'],
      maxAge: 3000,
    });
    this.reportsBucket = this.privateBucket(buckets.reports);
    // The dashboard reads the published comparison and problem tables through presigned links.
    this.reportsBucket.addCorsRule({
      allowedOrigins: [webOrigin],
      allowedMethods: [HttpMethods.GET, HttpMethods.HEAD],
      allowedHeaders: ['*'],
      maxAge: 3000,
    });

    // Accounts are created by administrators, never by self sign-up.
    const sesSender = sesSenderOf(this);
    this.userPool = new UserPool(this, 'UserPool', {
      selfSignUpEnabled: false,
      signInAliases: { username: true, email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      customAttributes: {
        // Mutable so an administrator can bind or rebind a library account.
        libraryId: new StringAttribute({ minLen: 6, maxLen: 6, mutable: true }),
      },
      // Cognito's own sender takes about 50 mails a day; a province's first accounts need SES.
      email: sesSender
        ? // CDK needs a region for the identity's ARN even when the stacks have none yet.
          UserPoolEmail.withSES({ ...sesSender, sesRegion: sesSender.sesRegion ?? this.region })
        : UserPoolEmail.withCognito(),
      // The mail with the temporary password (scripts/create-library-users.ts), Chinese first.
      userInvitation: {
        emailSubject: '县级公共图书馆年报平台账号 / County library reports account',
        emailBody: [
          '您好！您的县级公共图书馆年报平台账号已开通。',
          `登录地址：${webOrigin}`,
          '用户名：{username}（也可用本邮箱地址登录）',
          '临时密码：{####}',
          '请在 7 天内登录，并按提示设置新密码。',
          '',
          'Your account for the county library reports is ready.',
          `Sign in at ${webOrigin} as {username} (or with this e-mail address)`,
          'with the temporary password {####} within 7 days, then choose a new password.',
        ].join('<br>'),
      },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(7),
      },
      // Authenticator apps only: SMS needs an SNS spending limit and reaches mainland numbers
      // unreliably.
      mfa: Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      // Essentials: free up to 10,000 monthly active users, more than a whole country's libraries.
      featurePlan: FeaturePlan.ESSENTIALS,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(
      this.userPool,
      'AwsSolutions-COG2',
      'MFA is optional, not required: county librarians often share one office computer and not all have a smartphone, so a required authenticator app would lock libraries out of their reports. Accounts are created only by administrators and need 12-character passwords. TOTP is enabled on the pool so enrollment can be offered later (it needs the aws.cognito.signin.user.admin scope, which the web client does not request yet).',
    );
    acknowledge(
      this.userPool,
      'AwsSolutions-COG8',
      'The Plus plan (threat protection) costs USD 0.02 for every monthly active user with no free tier; with no self sign-up and administrator-created accounts only, Essentials is the proportionate plan. Switch featurePlan when the threat model changes.',
    );
    for (const [groupName, precedence] of Object.entries(ROLE_GROUP_PRECEDENCE)) {
      this.userPool.addGroup(`${groupName}Group`, { groupName, precedence });
    }

    const userEditableAttributes = new ClientAttributes().withStandardAttributes({
      email: true,
      fullname: true,
    });
    this.webClient = this.userPool.addClient('WebClient', {
      // A browser app cannot keep a secret; it uses the authorization code grant with PKCE.
      generateSecret: false,
      authFlows: { userSrp: true },
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: [webOrigin],
        logoutUrls: [webOrigin],
      },
      // custom:libraryId decides what a library user may see, so users may read it (it must
      // reach the ID token) but never write it; only administrators set it.
      readAttributes: userEditableAttributes
        .withStandardAttributes({ emailVerified: true })
        .withCustomAttributes('libraryId'),
      writeAttributes: userEditableAttributes,
      preventUserExistenceErrors: true,
      // The web app keeps no refresh token, so a session lasts as long as its ID token: a working
      // day (as local dev tokens do), not Cognito's default hour, after which an autosave would
      // meet a 401 and send a librarian filling in the long annual form back to sign in.
      idTokenValidity: Duration.hours(12),
      accessTokenValidity: Duration.hours(12),
    });

    // The hosted UI the web app sends users to (authorization code flow with PKCE). The classic
    // UI needs no branding resources, unlike managed login.
    this.userPoolDomain = this.userPool.addDomain('UserPoolDomain', {
      cognitoDomain: { domainPrefix: cognitoDomainPrefixOf(this) },
      managedLoginVersion: ManagedLoginVersion.CLASSIC_HOSTED_UI,
    });
    // baseUrl() holds tokens (prefix, region), so it is cut as a string rather than parsed.
    this.userPoolDomainHost = this.userPoolDomain.baseUrl().slice('https://'.length);

    this.acknowledgeNotificationsHandler();

    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(this, 'WebClientId', { value: this.webClient.userPoolClientId });
    new CfnOutput(this, 'UserPoolDomainHost', { value: this.userPoolDomainHost });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
  }

  /**
   * `eventBridgeEnabled` makes CDK add its singleton handler that switches the bucket's
   * notifications to EventBridge at deploy time; its findings are CDK's, acknowledged here.
   */
  private acknowledgeNotificationsHandler() {
    for (const child of this.node.children) {
      if (!child.node.id.startsWith('BucketNotificationsHandler')) continue;
      acknowledge(
        child,
        LAMBDA_BASIC_EXECUTION_FINDING,
        "CDK's own bucket-notifications custom resource handler (eventBridgeEnabled on the evidence bucket); it runs only during deployments and CDK defines its role.",
      );
    }
  }

  private privateBucket(id: string, props: Partial<BucketProps> = {}): Bucket {
    return new Bucket(this, id, {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // Versions keep evidence and published reports recoverable after an overwrite or delete.
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: `s3/${id}/`,
      ...props,
      lifecycleRules: [
        { abortIncompleteMultipartUploadAfter: Duration.days(1) },
        { noncurrentVersionExpiration: Duration.days(90) },
        ...(props.lifecycleRules ?? []),
      ],
    });
  }
}
