import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  Annotations,
  CfnOutput,
  DefaultStackSynthesizer,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  Token,
} from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  CachePolicy,
  Function as CloudFrontFunction,
  Distribution,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  OriginSslPolicy,
  ResponseHeadersPolicy,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import type { IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import { BlockPublicAccess, Bucket, BucketEncryption, type IBucket } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import type { Construct } from 'constructs';
import type { WebConfig } from '../web/src/auth.js';
import {
  acknowledge,
  LAMBDA_BASIC_EXECUTION_FINDING,
  wildcardActionFinding,
  wildcardResourceFinding,
} from './nag.js';
import { repoRoot, webAclArnOf, webDomainOf, webOriginOf } from './settings.js';

/** Where `npm run web:build` writes the web app: index.html plus content-hashed assets/. */
export const WEB_DIST = join(repoRoot, 'web', 'dist');

/**
 * CloudFront Function (viewer request, default behaviour only): a path whose last segment has
 * no file extension is a route of the single-page app, so it gets index.html. Distribution-wide
 * error responses would do the same but also turn the API's 403/404 into index.html.
 * Plain ES5 on purpose: it runs in CloudFront's JavaScript runtime, not Node.
 */
export const SPA_REWRITE_FUNCTION_SOURCE = `function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri.slice(uri.lastIndexOf('/') + 1).indexOf('.') === -1) {
    request.uri = '/index.html';
  }
  return request;
}
`;

/** Hashed file names change with their content, so browsers may keep them for a year. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

export interface WebStackProps extends StackProps {
  api: IHttpApi;
  webClient: IUserPoolClient;
  /** `<prefix>.auth.<region>.amazoncognito.com`, the hosted UI and OAuth endpoints. */
  userPoolDomainHost: string;
  /** Buckets the browser talks to directly through presigned URLs (uploads, thumbnails). */
  evidenceBucket: IBucket;
  reportsBucket: IBucket;
  /** The built web app; tests point it elsewhere. */
  webDist?: string;
}

/**
 * The web app in AWS: a private bucket behind CloudFront, which also forwards `/api/*` to the
 * HTTP API, so the browser sees one origin there just as it does with the local server.
 */
export class WebStack extends Stack {
  readonly bucket: Bucket;
  readonly distribution: Distribution;

  constructor(scope: Construct, id: string, props: WebStackProps) {
    super(scope, id, props);
    const webDist = props.webDist ?? WEB_DIST;
    for (const required of ['index.html', 'assets']) {
      if (!existsSync(join(webDist, required))) {
        throw new Error(
          `The web app is not built: ${join(webDist, required)} is missing. Run \`npm run web:build\` first (cdk.json's app command does).`,
        );
      }
    }
    const webOrigin = webOriginOf(this);
    const webDomain = webDomainOf(this);
    const webAclArn = webAclArnOf(this);
    // An info, not a warning: the local default is the normal first step (docs/deploy.md).
    if (!webOrigin.startsWith('https://')) {
      Annotations.of(this).addInfo(
        `webOrigin is ${webOrigin}: sign-in through CloudFront will fail until you deploy again with -c webOrigin=<the WebUrl output> (docs/deploy.md).`,
      );
    }

    // Only CloudFront reads it; the content is rebuilt on every deploy, so nothing is retained.
    this.bucket = new Bucket(this, 'WebBucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: true,
    });
    acknowledge(
      this.bucket,
      'AwsSolutions-S1',
      'Holds only the public build of web/, rewritten by every deploy; only CloudFront reads it (origin access control) and only deployments write it, so server access logs would record nothing but CloudFront fetches.',
    );

    const s3Hosts = [props.evidenceBucket, props.reportsBucket].flatMap((bucket) => [
      // Presigned URLs are virtual-hosted: regional, or global in us-east-1.
      `https://${bucket.bucketName}.s3.${this.region}.${this.urlSuffix}`,
      `https://${bucket.bucketName}.s3.${this.urlSuffix}`,
    ]);
    const contentSecurityPolicy = [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      // blob: and data: for previews of files picked for upload.
      `img-src 'self' data: blob: ${s3Hosts.join(' ')}`,
      // The token endpoint (code for tokens, PKCE) and presigned evidence uploads.
      `connect-src 'self' https://${props.userPoolDomainHost} ${s3Hosts.join(' ')}`,
      "font-src 'self'",
      "object-src 'none'",
      "base-uri 'self'",
      "form-action 'self'",
      "frame-ancestors 'none'",
    ].join('; ');
    const securityHeaders = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'County library reports: security headers',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: {
          referrerPolicy: HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
          override: true,
        },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(365),
          includeSubdomains: true,
          override: true,
        },
      },
    });

    const spaRewrite = new CloudFrontFunction(this, 'SpaRewrite', {
      comment: 'Extensionless paths are app routes: serve /index.html',
      code: FunctionCode.fromInline(SPA_REWRITE_FUNCTION_SOURCE),
      runtime: FunctionRuntime.JS_2_0,
    });

    // The API's default stage; routes already start with /api, so paths pass unchanged.
    const apiOrigin = new HttpOrigin(
      `${props.api.apiId}.execute-api.${this.region}.${this.urlSuffix}`,
      {
        protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
        originSslProtocols: [OriginSslPolicy.TLS_V1_2],
      },
    );

    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'County library reports: web app and /api',
      defaultRootObject: 'index.html',
      httpVersion: HttpVersion.HTTP2_AND_3,
      ...(webAclArn === undefined ? {} : { webAclId: webAclArn }),
      ...(webDomain === undefined
        ? {}
        : {
            domainNames: [webDomain.domainName],
            certificate: Certificate.fromCertificateArn(
              this,
              'WebCertificate',
              webDomain.certificateArn,
            ),
            minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
          }),
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        compress: true,
        responseHeadersPolicy: securityHeaders,
        functionAssociations: [
          { function: spaRewrite, eventType: FunctionEventType.VIEWER_REQUEST },
        ],
      },
      additionalBehaviors: {
        '/api/*': {
          origin: apiOrigin,
          viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
          allowedMethods: AllowedMethods.ALLOW_ALL,
          cachePolicy: CachePolicy.CACHING_DISABLED,
          // Authorization and query strings reach the API; Host must stay the API's own.
          originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: securityHeaders,
        },
      },
    });

    this.acknowledgeDistributionFindings(webDomain !== undefined, webAclArn !== undefined);

    // Hashed assets are never pruned: a browser still running the previous index.html may
    // load its lazy chunks after a deploy.
    const assets = new BucketDeployment(this, 'WebAssetsDeployment', {
      destinationBucket: this.bucket,
      destinationKeyPrefix: 'assets/',
      sources: [Source.asset(join(webDist, 'assets'))],
      prune: false,
      cacheControl: [CacheControl.fromString(IMMUTABLE)],
    });
    // What the app reads at start; tokens of the other stacks resolve at deploy time.
    const webConfig: WebConfig = {
      auth: {
        kind: 'cognito',
        domain: props.userPoolDomainHost,
        clientId: props.webClient.userPoolClientId,
        redirectUri: webOrigin,
      },
    };
    const config = new BucketDeployment(this, 'WebConfigDeployment', {
      destinationBucket: this.bucket,
      sources: [Source.jsonData('config.json', webConfig)],
      prune: false,
      cacheControl: [CacheControl.noStore()],
      distribution: this.distribution,
      distributionPaths: ['/config.json'],
    });
    // index.html and any other top-level file; revalidated on every load. The filters keep
    // this deployment's pruning away from the assets and config.json.
    const pages = new BucketDeployment(this, 'WebPagesDeployment', {
      destinationBucket: this.bucket,
      sources: [Source.asset(webDist, { exclude: ['assets'] })],
      exclude: ['assets/*', 'config.json'],
      prune: true,
      cacheControl: [CacheControl.noCache()],
      distribution: this.distribution,
      distributionPaths: ['/index.html'],
    });
    // A new index.html only goes live once the assets it names are in the bucket.
    pages.node.addDependency(assets, config);
    this.acknowledgeDeploymentHandler(pages);

    new CfnOutput(this, 'WebUrl', {
      value: `https://${this.distribution.distributionDomainName}`,
      description: 'The CloudFront address; use it as webOrigin unless a custom domain is set',
    });
    new CfnOutput(this, 'DistributionDomainName', {
      value: this.distribution.distributionDomainName,
      description: 'Target of the CNAME record of webDomainName',
    });
  }

  private acknowledgeDistributionFindings(customDomain: boolean, withWebAcl: boolean) {
    const distribution = this.distribution;
    acknowledge(
      distribution,
      'AwsSolutions-CFR1',
      'No geo restriction: access is controlled by Cognito sign-in, and librarians and provincial staff reach the site from networks (mobile, VPN, travel) whose IP country is not always their own; blocking by country would lock users out without protecting data.',
    );
    if (!withWebAcl) {
      acknowledge(
        distribution,
        'AwsSolutions-CFR2',
        'No AWS WAF web ACL by default: every /api/* route except the readiness probe needs a Cognito token and the API stage is throttled; CLOUDFRONT-scope web ACLs exist only in us-east-1 and cost at least USD 5 a month, so a province that wants one creates it there and passes -c webAclArn=… (docs/deploy.md).',
      );
    }
    acknowledge(
      distribution,
      'AwsSolutions-CFR3',
      "No CloudFront access logs: every /api/* request is logged by the HTTP API's JSON access log (request id, route, status, token subject), and the rest is the public static app. CloudFront's standard logs cannot be delivered to S3 buckets in several regions this app may run in (ap-east-1 among them), and its v2 log delivery must be configured in us-east-1.",
    );
    if (!customDomain) {
      acknowledge(
        distribution,
        'AwsSolutions-CFR4',
        "With its own *.cloudfront.net name the distribution uses CloudFront's default certificate, whose minimum TLS version cannot be set; with webDomainName and webCertificateArn it requires TLS 1.2 (TLSv1.2_2021).",
      );
    }
  }

  /**
   * The BucketDeployments share CDK's singleton upload handler; its role and runtime are CDK's.
   * The findings are acknowledged on that handler only (the scope of its role).
   */
  private acknowledgeDeploymentHandler(deployment: BucketDeployment) {
    const handler = deployment.handlerRole.node.scope;
    if (handler === undefined) throw new Error('BucketDeployment handler role has no scope');
    const reason = (what: string) =>
      `CDK's BucketDeployment handler (aws-s3-deployment), which copies web/dist from the CDK asset bucket into the web bucket during deployments: ${what}`;
    acknowledge(
      handler,
      LAMBDA_BASIC_EXECUTION_FINDING,
      reason('CDK attaches this managed policy to its role.'),
    );
    for (const action of [
      's3:GetBucket*',
      's3:GetObject*',
      's3:List*',
      's3:Abort*',
      's3:DeleteObject*',
    ]) {
      acknowledge(
        handler,
        wildcardActionFinding(action),
        reason(
          'CDK grants read on the asset bucket and read-write on the web bucket with these action groups.',
        ),
      );
    }
    // The bootstrap asset bucket as the policy names it: the synthesizer's name pattern, with
    // the account, region and partition written out where the stack's environment knows them
    // and left as CloudFormation placeholders where it does not.
    const known = (value: string, placeholder: string) =>
      Token.isUnresolved(value) ? `\${${placeholder}}` : value;
    const qualifier =
      (this.synthesizer instanceof DefaultStackSynthesizer
        ? this.synthesizer.bootstrapQualifier
        : undefined) ?? DefaultStackSynthesizer.DEFAULT_QUALIFIER;
    const assetBucket = DefaultStackSynthesizer.DEFAULT_FILE_ASSETS_BUCKET_NAME.replace(
      /\$\{Qualifier\}/,
      qualifier,
    )
      .replace(/\$\{AWS::AccountId\}/, known(this.account, 'AWS::AccountId'))
      .replace(/\$\{AWS::Region\}/, known(this.region, 'AWS::Region'));
    const assetObjects = `arn:${known(this.partition, 'AWS::Partition')}:s3:::${assetBucket}/*`;
    for (const resource of [assetObjects, this.bucket.arnForObjects('*')]) {
      acknowledge(
        handler,
        wildcardResourceFinding(this, resource),
        reason(
          'it reads every object of the CDK asset bucket and writes every object of the web bucket.',
        ),
      );
    }
    acknowledge(
      handler,
      wildcardResourceFinding(this, '*'),
      reason(
        'cloudfront:CreateInvalidation and GetInvalidation have no resource-level scoping in its policy.',
      ),
    );
    for (const rule of ['AwsSolutions-L1', 'Serverless-LambdaLatestVersion']) {
      acknowledge(handler, rule, reason('CDK chooses and updates its runtime.'));
    }
    acknowledge(
      handler,
      'Serverless-LambdaDLQ',
      reason(
        'CloudFormation invokes it synchronously and reports a failure as a failed deployment.',
      ),
    );
    acknowledge(
      handler,
      'Serverless-LambdaTracing',
      reason('it runs only during deployments; its logs are enough.'),
    );
  }
}
