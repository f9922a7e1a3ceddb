/**
 * The web stack: CloudFront in front of the web bucket (default behaviour) and the HTTP API
 * (`/api/*`), the single-page-app rewrite, security headers, the deployments of web/dist and
 * config.json, and the Cognito domain the sign-in goes through.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { CachePolicy, OriginRequestPolicy } from 'aws-cdk-lib/aws-cloudfront';
import { z } from 'zod';
import { createStacks, STATEFUL_STACK_NAME, WEB_STACK_NAME } from '../../infra/stacks.js';
import { SPA_REWRITE_FUNCTION_SOURCE, WebStack } from '../../infra/web-stack.js';

const cdkContext = z
  .object({ context: z.record(z.string(), z.unknown()) })
  .parse(JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8'))).context;

const WEB_ORIGIN = 'https://reports.example.org';
const CERTIFICATE_ARN =
  'arn:aws:acm:us-east-1:123456789012:certificate/0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e';

const outdir = mkdtempSync(join(tmpdir(), 'cdk-web-test-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

// Bundling of the API's functions is skipped: nothing here depends on their code.
// A real-looking alarm address: cdk.json's placeholder makes every synth warn (stacks.test.ts).
const appWith = (context: Record<string, unknown> = {}) =>
  new App({
    context: {
      ...cdkContext,
      webOrigin: WEB_ORIGIN,
      alarmEmail: 'library-reports-ops@wenhua.shanxi.test',
      'aws:cdk:bundling-stacks': [],
      ...context,
    },
    outdir: mkdtempSync(join(outdir, 'app-')),
  });

let app: App;
let stacks: ReturnType<typeof createStacks>;
let web: Template;
let stateful: Template;

beforeAll(() => {
  app = appWith();
  stacks = createStacks(app);
  web = Template.fromStack(stacks.web);
  stateful = Template.fromStack(stacks.stateful);
}, 60_000);

const Origin = z.object({
  Id: z.string(),
  DomainName: z.unknown(),
  OriginAccessControlId: z.unknown().optional(),
  S3OriginConfig: z.unknown().optional(),
  CustomOriginConfig: z
    .object({ OriginProtocolPolicy: z.string(), OriginSSLProtocols: z.array(z.string()) })
    .optional(),
});
const Behavior = z.object({
  TargetOriginId: z.string(),
  AllowedMethods: z.array(z.string()),
  CachePolicyId: z.string(),
  OriginRequestPolicyId: z.string().optional(),
  ResponseHeadersPolicyId: z.unknown(),
  ViewerProtocolPolicy: z.string(),
  FunctionAssociations: z
    .array(z.object({ EventType: z.string(), FunctionARN: z.unknown() }))
    .optional(),
});
const DistributionConfig = z.object({
  Origins: z.array(Origin),
  DefaultCacheBehavior: Behavior,
  CacheBehaviors: z.array(Behavior.extend({ PathPattern: z.string() })),
  CustomErrorResponses: z.unknown().optional(),
  Aliases: z.array(z.string()).optional(),
  ViewerCertificate: z.record(z.string(), z.unknown()).optional(),
});

const distributionConfigOf = (template: Template) => {
  const distributions = Object.values(template.findResources('AWS::CloudFront::Distribution'));
  expect(distributions).toHaveLength(1);
  return z.object({ Properties: z.object({ DistributionConfig }) }).parse(distributions[0])
    .Properties.DistributionConfig;
};

const onlyLogicalId = (type: string) => {
  const ids = Object.keys(web.findResources(type));
  expect(ids).toHaveLength(1);
  return z.string().parse(ids[0]);
};

/** A value the web stack imports from the stateful stack, followed to what that stack outputs. */
const importedFromStateful = (value: unknown): unknown => {
  const { StackName, OutputName } = z
    .object({ 'Fn::GetStackOutput': z.object({ StackName: z.string(), OutputName: z.string() }) })
    .parse(value)['Fn::GetStackOutput'];
  expect(StackName).toBe(STATEFUL_STACK_NAME);
  return stateful.toJSON().Outputs?.[OutputName]?.Value;
};

const BucketDeployment = z.object({
  Properties: z.object({
    SourceObjectKeys: z.array(z.string()),
    SourceMarkers: z.array(z.record(z.string(), z.unknown())).optional(),
    DestinationBucketName: z.unknown(),
    DestinationBucketKeyPrefix: z.string().optional(),
    Prune: z.boolean(),
    Exclude: z.array(z.string()).optional(),
    SystemMetadata: z.object({ 'cache-control': z.string() }),
    DistributionId: z.unknown().optional(),
    DistributionPaths: z.array(z.string()).optional(),
  }),
  DependsOn: z.array(z.string()).optional(),
});

const deployments = () =>
  Object.fromEntries(
    Object.entries(web.findResources('Custom::CDKBucketDeployment')).map(([id, resource]) => [
      id,
      BucketDeployment.parse(resource),
    ]),
  );
const deploymentNamed = (prefix: string) => {
  const found = Object.entries(deployments()).find(([id]) => id.startsWith(prefix));
  if (found === undefined) throw new Error(`No bucket deployment ${prefix}`);
  return { id: found[0], ...found[1] };
};

describe('distribution', () => {
  test('has two origins: the web bucket through origin access control, and the HTTP API', () => {
    const config = distributionConfigOf(web);
    expect(config.Origins).toHaveLength(2);
    const oacId = onlyLogicalId('AWS::CloudFront::OriginAccessControl');
    web.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: {
        OriginAccessControlOriginType: 's3',
        SigningBehavior: 'always',
        SigningProtocol: 'sigv4',
      },
    });
    const bucketOrigin = config.Origins.find((origin) => origin.S3OriginConfig !== undefined);
    expect(bucketOrigin?.OriginAccessControlId).toEqual({ 'Fn::GetAtt': [oacId, 'Id'] });
    expect(bucketOrigin?.DomainName).toEqual(
      stacks.web.resolve(stacks.web.bucket.bucketRegionalDomainName),
    );
    // No legacy origin access identity.
    web.resourceCountIs('AWS::CloudFront::CloudFrontOriginAccessIdentity', 0);

    const apiOrigin = config.Origins.find((origin) => origin.CustomOriginConfig !== undefined);
    expect(apiOrigin?.CustomOriginConfig).toEqual({
      OriginProtocolPolicy: 'https-only',
      OriginSSLProtocols: ['TLSv1.2'],
    });
    // The default stage of the API stack's HTTP API, in this region.
    const domain = z
      .object({ 'Fn::Join': z.tuple([z.literal(''), z.array(z.unknown())]) })
      .parse(apiOrigin?.DomainName)['Fn::Join'][1];
    expect(domain.slice(1)).toEqual([
      '.execute-api.',
      { Ref: 'AWS::Region' },
      '.',
      { Ref: 'AWS::URLSuffix' },
    ]);
    const { StackName, OutputName } = z
      .object({
        'Fn::GetStackOutput': z.object({ StackName: z.string(), OutputName: z.string() }),
      })
      .parse(domain[0])['Fn::GetStackOutput'];
    expect(StackName).toBe(stacks.api.stackName);
    expect(Template.fromStack(stacks.api).toJSON().Outputs?.[OutputName]?.Value).toEqual(
      stacks.api.resolve(stacks.api.api.apiId),
    );
  });

  test('the default behaviour serves the bucket, HTTPS only, with the SPA rewrite on viewer requests', () => {
    const config = distributionConfigOf(web);
    const bucketOrigin = config.Origins.find((origin) => origin.S3OriginConfig !== undefined);
    const behaviour = config.DefaultCacheBehavior;
    expect(behaviour.TargetOriginId).toBe(bucketOrigin?.Id);
    expect(behaviour.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(behaviour.AllowedMethods).toEqual(['GET', 'HEAD']);
    expect(behaviour.FunctionAssociations).toEqual([
      {
        EventType: 'viewer-request',
        FunctionARN: { 'Fn::GetAtt': [onlyLogicalId('AWS::CloudFront::Function'), 'FunctionARN'] },
      },
    ]);
    // Error responses would apply to /api/* as well and hide the API's 403s and 404s.
    expect(config.CustomErrorResponses).toBeUndefined();
  });

  test('/api/* goes to the API uncached, with every method and the viewer headers except Host', () => {
    const config = distributionConfigOf(web);
    const apiOrigin = config.Origins.find((origin) => origin.CustomOriginConfig !== undefined);
    expect(config.CacheBehaviors).toHaveLength(1);
    const [behaviour] = config.CacheBehaviors;
    expect(behaviour?.PathPattern).toBe('/api/*');
    expect(behaviour?.TargetOriginId).toBe(apiOrigin?.Id);
    expect(behaviour?.CachePolicyId).toBe(CachePolicy.CACHING_DISABLED.cachePolicyId);
    expect(behaviour?.OriginRequestPolicyId).toBe(
      OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER.originRequestPolicyId,
    );
    expect([...(behaviour?.AllowedMethods ?? [])].sort()).toEqual(
      ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'].sort(),
    );
    expect(behaviour?.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(behaviour?.FunctionAssociations).toBeUndefined();
  });

  test('both behaviours send the security headers, with a CSP for self, Cognito and the buckets', () => {
    const policyId = onlyLogicalId('AWS::CloudFront::ResponseHeadersPolicy');
    const config = distributionConfigOf(web);
    for (const behaviour of [config.DefaultCacheBehavior, ...config.CacheBehaviors]) {
      expect(behaviour.ResponseHeadersPolicyId).toEqual({ Ref: policyId });
    }
    web.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: {
        SecurityHeadersConfig: {
          ContentTypeOptions: { Override: true },
          FrameOptions: { FrameOption: 'DENY', Override: true },
          ReferrerPolicy: { ReferrerPolicy: 'strict-origin-when-cross-origin', Override: true },
          StrictTransportSecurity: Match.objectLike({
            AccessControlMaxAgeSec: 365 * 24 * 3600,
            IncludeSubdomains: true,
          }),
          ContentSecurityPolicy: Match.objectLike({ Override: true }),
        },
      },
    });
    const csp = JSON.stringify(
      web.toJSON().Resources?.[policyId]?.Properties?.ResponseHeadersPolicyConfig
        ?.SecurityHeadersConfig?.ContentSecurityPolicy?.ContentSecurityPolicy,
    );
    for (const directive of [
      "default-src 'self'",
      "script-src 'self'",
      "object-src 'none'",
      "frame-ancestors 'none'",
      "connect-src 'self' https://",
    ]) {
      expect(csp).toContain(directive);
    }
    expect(csp).toContain('.auth.');
    expect(csp).toContain('.amazoncognito.com');
    expect(csp).toContain('.s3.');
    expect(csp).not.toContain('unsafe-inline');
  });

  test('outputs its URL', () => {
    web.hasOutput('WebUrl', {
      Value: {
        'Fn::Join': [
          '',
          [
            'https://',
            { 'Fn::GetAtt': [onlyLogicalId('AWS::CloudFront::Distribution'), 'DomainName'] },
          ],
        ],
      },
    });
  });
});

describe('SPA rewrite function', () => {
  const handler: unknown = new Function(`${SPA_REWRITE_FUNCTION_SOURCE}\nreturn handler;`)();
  const Request = z.object({ uri: z.string(), querystring: z.unknown() });
  const rewrite = (uri: string) => {
    if (typeof handler !== 'function') throw new Error('The source defines no handler');
    const querystring = { code: { value: 'abc' } };
    const request = Request.parse(
      handler({ version: '1.0', request: { method: 'GET', uri, querystring, headers: {} } }),
    );
    // The OAuth code stays on the request: the app reads it from the address bar.
    expect(request.querystring).toEqual(querystring);
    return request.uri;
  };

  test('is deployed as cloudfront-js-2.0 with exactly this source', () => {
    web.hasResourceProperties('AWS::CloudFront::Function', {
      FunctionCode: SPA_REWRITE_FUNCTION_SOURCE,
      FunctionConfig: Match.objectLike({ Runtime: 'cloudfront-js-2.0' }),
      AutoPublish: true,
    });
  });

  test.each([
    '/',
    '/province',
    '/libraries/140429/submissions/county-annual-report/2026',
    '/libraries/140429/',
  ])('serves index.html for the app route %s', (uri) => {
    expect(rewrite(uri)).toBe('/index.html');
  });

  test.each([
    '/index.html',
    '/config.json',
    '/assets/main-ABC123.js',
    '/assets/chunk-XYZ.js',
    '/assets/main-ABC123.css',
    '/assets/main-ABC123.js.map',
  ])('leaves the file %s alone', (uri) => {
    expect(rewrite(uri)).toBe(uri);
  });
});

describe('web bucket and deployments', () => {
  test('the bucket is private, encrypted, TLS only and not a website', () => {
    web.resourceCountIs('AWS::S3::Bucket', 1);
    web.hasResourceProperties('AWS::S3::Bucket', {
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
      WebsiteConfiguration: Match.absent(),
    });
    web.hasResourceProperties('AWS::S3::BucketPolicy', {
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
  });

  test('only this distribution may read objects, through the CloudFront service principal', () => {
    const distributionId = onlyLogicalId('AWS::CloudFront::Distribution');
    web.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: stacks.web.resolve(stacks.web.bucket.bucketName),
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Effect: 'Allow',
            Action: 's3:GetObject',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Resource: stacks.web.resolve(stacks.web.bucket.arnForObjects('*')),
            Condition: {
              StringEquals: {
                'AWS:SourceArn': {
                  'Fn::Join': [
                    '',
                    [
                      'arn:',
                      { Ref: 'AWS::Partition' },
                      ':cloudfront::',
                      { Ref: 'AWS::AccountId' },
                      ':distribution/',
                      { Ref: distributionId },
                    ],
                  ],
                },
              },
            },
          },
        ]),
      },
    });
    // Nobody else is granted reads.
    const statements = z
      .array(z.object({ Effect: z.string(), Action: z.unknown(), Principal: z.unknown() }))
      .parse(
        Object.values(web.findResources('AWS::S3::BucketPolicy')).flatMap(
          (policy) =>
            z
              .object({
                Properties: z.object({
                  PolicyDocument: z.object({ Statement: z.array(z.unknown()) }),
                }),
              })
              .parse(policy).Properties.PolicyDocument.Statement,
        ),
      );
    const reads = statements.filter(
      (statement) =>
        statement.Effect === 'Allow' && JSON.stringify(statement.Action).includes('s3:GetObject'),
    );
    expect(reads).toHaveLength(1);
  });

  test('hashed assets are immutable and never pruned; index.html is revalidated and invalidated', () => {
    expect(Object.keys(deployments())).toHaveLength(3);
    const bucket = stacks.web.resolve(stacks.web.bucket.bucketName);
    const distribution = { Ref: onlyLogicalId('AWS::CloudFront::Distribution') };

    const assets = deploymentNamed('WebAssetsDeployment');
    expect(assets.Properties).toMatchObject({
      DestinationBucketName: bucket,
      DestinationBucketKeyPrefix: 'assets/',
      Prune: false,
      SystemMetadata: { 'cache-control': 'public, max-age=31536000, immutable' },
    });

    const pages = deploymentNamed('WebPagesDeployment');
    expect(pages.Properties).toMatchObject({
      DestinationBucketName: bucket,
      SystemMetadata: { 'cache-control': 'no-cache' },
      DistributionId: distribution,
      DistributionPaths: ['/index.html'],
    });
    expect(pages.Properties.DestinationBucketKeyPrefix).toBeUndefined();
    // It prunes the top level only: the other deployments' files are filtered out.
    expect(pages.Properties.Prune).toBe(true);
    expect(pages.Properties.Exclude).toEqual(expect.arrayContaining(['assets/*', 'config.json']));
    // Its source is the top level of web/dist without assets/ (uploaded by the other one).
    const pagesDir = join(
      app.outdir,
      `asset.${pages.Properties.SourceObjectKeys[0]?.replace(/\.zip$/, '')}`,
    );
    expect(readdirSync(pagesDir)).toContain('index.html');
    expect(readdirSync(pagesDir)).not.toContain('assets');
    // index.html goes live after the assets it names (and the config it reads).
    const config = deploymentNamed('WebConfigDeployment');
    expect(pages.DependsOn).toEqual(expect.arrayContaining([assets.id, config.id]));
  });

  test('config.json names the Cognito domain, the web client and the web origin, never cached', () => {
    const config = deploymentNamed('WebConfigDeployment');
    expect(config.Properties).toMatchObject({
      Prune: false,
      SystemMetadata: { 'cache-control': 'no-store' },
      DistributionId: { Ref: onlyLogicalId('AWS::CloudFront::Distribution') },
      DistributionPaths: ['/config.json'],
    });
    // Source.jsonData stages config.json with markers the deployment replaces with the values.
    const [objectKey] = config.Properties.SourceObjectKeys;
    const assetDir = join(app.outdir, `asset.${objectKey?.replace(/\.zip$/, '')}`);
    const markers = config.Properties.SourceMarkers?.[0] ?? {};
    const filled = z
      .object({
        auth: z.object({
          kind: z.literal('cognito'),
          domain: z.string(),
          clientId: z.string(),
          redirectUri: z.string(),
        }),
      })
      .parse(JSON.parse(readFileSync(join(assetDir, 'config.json'), 'utf8'))).auth;
    expect(filled.redirectUri).toBe(WEB_ORIGIN);
    expect(importedFromStateful(markers[filled.clientId])).toEqual(
      stacks.stateful.resolve(stacks.stateful.webClient.userPoolClientId),
    );
    const [prefixMarker, regionMarker] = z
      .tuple([z.string(), z.string()])
      .parse(
        /^(<<marker:[^>]+>>)\.auth\.(<<marker:[^>]+>>)\.amazoncognito\.com$/
          .exec(filled.domain)
          ?.slice(1),
      );
    expect(importedFromStateful(markers[prefixMarker])).toEqual(
      stacks.stateful.resolve(stacks.stateful.userPoolDomain.domainName),
    );
    expect(markers[regionMarker]).toEqual({ Ref: 'AWS::Region' });
  });
});

describe('Cognito domain', () => {
  test('the user pool has a hosted-UI domain, by default county-library-reports-<account>', () => {
    stateful.resourceCountIs('AWS::Cognito::UserPoolDomain', 1);
    stateful.hasResourceProperties('AWS::Cognito::UserPoolDomain', {
      UserPoolId: stacks.stateful.resolve(stacks.stateful.userPool.userPoolId),
      Domain: { 'Fn::Join': ['', ['county-library-reports-', { Ref: 'AWS::AccountId' }]] },
      ManagedLoginVersion: 1,
    });
    stateful.hasOutput('UserPoolDomainHost', {
      Value: {
        'Fn::Join': [
          '',
          [
            stacks.stateful.resolve(stacks.stateful.userPoolDomain.domainName),
            '.auth.',
            { Ref: 'AWS::Region' },
            '.amazoncognito.com',
          ],
        ],
      },
    });
  });

  test('context cognitoDomainPrefix sets the prefix; an invalid one fails synth', () => {
    const { stateful: custom } = createStacks(
      appWith({ cognitoDomainPrefix: 'shanxi-library-reports' }),
    );
    Template.fromStack(custom).hasResourceProperties('AWS::Cognito::UserPoolDomain', {
      Domain: 'shanxi-library-reports',
    });
    for (const invalid of ['Shanxi', 'shanxi_reports', '-shanxi', 'my-cognito-reports', 42]) {
      expect(() => createStacks(appWith({ cognitoDomainPrefix: invalid }))).toThrow(
        /cognitoDomainPrefix/,
      );
    }
  });
});

describe('web origin and custom domain', () => {
  test('the stacks refer forward only: nothing in stateful or API refers to the web stack', () => {
    for (const stack of [stacks.stateful, stacks.api]) {
      expect(JSON.stringify(Template.fromStack(stack).toJSON())).not.toContain(WEB_STACK_NAME);
    }
  });

  test('a web origin that is not https notes that sign-in through CloudFront needs webOrigin', () => {
    const local = createStacks(appWith({ webOrigin: 'http://localhost:3000' }));
    Annotations.fromStack(local.web).hasInfo('*', Match.stringLikeRegexp('webOrigin'));
    Annotations.fromStack(stacks.web).hasNoInfo('*', Match.stringLikeRegexp('webOrigin'));
  });

  test('webDomainName and webCertificateArn put the custom domain on the distribution', () => {
    const custom = createStacks(
      appWith({ webDomainName: 'reports.example.org', webCertificateArn: CERTIFICATE_ARN }),
    );
    const config = distributionConfigOf(Template.fromStack(custom.web));
    expect(config.Aliases).toEqual(['reports.example.org']);
    expect(config.ViewerCertificate).toMatchObject({
      AcmCertificateArn: CERTIFICATE_ARN,
      SslSupportMethod: 'sni-only',
      MinimumProtocolVersion: 'TLSv1.2_2021',
    });
    // Without them the distribution answers on its own *.cloudfront.net name only.
    expect(distributionConfigOf(web).Aliases).toBeUndefined();
  });

  test.each([
    [
      'a webOrigin for another host',
      {
        webDomainName: 'reports.example.org',
        webCertificateArn: CERTIFICATE_ARN,
        webOrigin: 'https://other.example.org',
      },
      /webOrigin/,
    ],
    [
      'a certificate outside us-east-1',
      {
        webDomainName: 'reports.example.org',
        webCertificateArn: CERTIFICATE_ARN.replace('us-east-1', 'ap-east-1'),
      },
      /us-east-1/,
    ],
    [
      'a domain without a certificate',
      { webDomainName: 'reports.example.org' },
      /webCertificateArn/,
    ],
    ['a certificate without a domain', { webCertificateArn: CERTIFICATE_ARN }, /webDomainName/],
  ])('fails synth with %s', (_case, context, message) => {
    expect(() => createStacks(appWith(context))).toThrow(message);
  });

  test('webAclArn attaches an AWS WAF web ACL to the distribution; only a CLOUDFRONT-scope ACL', () => {
    const webAclArn =
      'arn:aws:wafv2:us-east-1:123456789012:global/webacl/library-reports/a1b2c3d4-5678-90ab-cdef-0123456789ab';
    const guarded = Template.fromStack(createStacks(appWith({ webAclArn })).web);
    guarded.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: { WebACLId: webAclArn },
    });
    web.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: { WebACLId: Match.absent() },
    });
    expect(() =>
      createStacks(appWith({ webAclArn: webAclArn.replace('global', 'regional') })),
    ).toThrow(/CLOUDFRONT-scope/);
  });

  test('synth fails with a clear message when the web app is not built', () => {
    const app = appWith();
    const { stateful: pool, api } = createStacks(app);
    expect(
      () =>
        new WebStack(app, 'Unbuilt', {
          api: api.api,
          webClient: pool.webClient,
          userPoolDomainHost: pool.userPoolDomainHost,
          evidenceBucket: pool.evidenceBucket,
          reportsBucket: pool.reportsBucket,
          webDist: mkdtempSync(join(outdir, 'empty-dist-')),
        }),
    ).toThrow(/npm run web:build/);
  });
});
