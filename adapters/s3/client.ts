/**
 * The S3 calls this app makes, on the SigV4 client the functions share
 * (adapters/aws/sigv4-client.ts), instead of the SDK's S3 client: about 45 ms less at every cold
 * start of the evidence and rollup functions (docs/performance.md). Operations and inputs are
 * named as in the S3 API and the SDK, so the local IAM guard (local/iam-guard.ts) reads them by
 * those names.
 */
import { createHash, createHmac } from 'node:crypto';
import { isIP } from 'node:net';
import type { Readable } from 'node:stream';
import { Sha256 } from '@smithy/core/checksum';
import { escapeUriPath } from '@smithy/core/protocols';
import { createScope, getSigningKey } from '@smithy/signature-v4';
import {
  type AwsRequest,
  type AwsResponse,
  readText,
  SigV4Client,
  type SigV4ClientSettings,
} from '../aws/sigv4-client.js';

export interface ObjectAddress {
  Bucket: string;
  Key: string;
}

/** Each operation's input, as the S3 API names it, and what the adapters read of its answer. */
export interface S3Operations {
  HeadObject: { input: ObjectAddress; output: { contentLength: number; etag?: string } };
  GetObject: { input: ObjectAddress; output: { body: Readable; etag?: string } };
  PutObject: { input: ObjectAddress & { Body: Buffer; ContentType: string }; output: undefined };
  /** `CopySource` is `bucket/key`, URL-encoded; the copy happens only if its ETag still matches. */
  CopyObject: {
    input: ObjectAddress & { CopySource: string; CopySourceIfMatch: string };
    output: undefined;
  };
  DeleteObject: { input: ObjectAddress; output: undefined };
  PutObjectTagging: {
    input: ObjectAddress & { TagSet: readonly { Key: string; Value: string }[] };
    output: undefined;
  };
}

export type S3OperationName = keyof S3Operations;

export interface S3ClientOptions extends SigV4ClientSettings {
  /**
   * Buckets in the path rather than the host name, for emulators. Default: S3_FORCE_PATH_STYLE,
   * or an endpoint named by an IP address.
   */
  forcePathStyle?: boolean;
}

/** A presigned POST: the form's action and the fields to send before the file. */
export interface PresignedPost {
  url: string;
  fields: Record<string, string>;
}

const XML_ENTITIES: Record<string, string> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&apos;': "'",
};

const xmlElement = (xml: string, tag: string): string | undefined => {
  const text = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml)?.[1];
  return text?.replace(/&(?:amp|lt|gt|quot|apos);/g, (entity) => XML_ENTITIES[entity] ?? entity);
};

const escapeXml = (text: string) =>
  text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);

/** What S3 calls an answer without a body (HEAD's), as the SDK names it. */
const NAME_BY_STATUS: Record<number, string> = {
  304: 'NotModified',
  400: 'BadRequest',
  403: 'Forbidden',
  404: 'NotFound',
  412: 'PreconditionFailed',
};

/** S3's error document: `<Error><Code>NoSuchKey</Code><Message>…</Message></Error>`. */
export const readS3Error = (statusCode: number, _headers: unknown, body: string) => ({
  name: xmlElement(body, 'Code') ?? NAME_BY_STATUS[statusCode] ?? `Http${statusCode}`,
  message: xmlElement(body, 'Message') ?? `S3 answered HTTP ${statusCode}`,
});

/** Whether S3 answered that the object is not there: `NoSuchKey` (GET and others), `NotFound` (HEAD). */
export const isMissingObject = (error: unknown): boolean => {
  const name = (error as { name?: unknown } | null)?.name;
  return name === 'NoSuchKey' || name === 'NotFound';
};

/**
 * A CopyObject that fails after S3 has begun answering comes as 200 with an error document
 * (S3 API reference, CopyObject), or with no body at all when S3 aborted it: read as the 500
 * it is, so that it is retried. Only a `CopyObjectResult` is a copy made.
 */
const errorInCopyAnswer = (body: string) => {
  if (/<Error>/.test(body)) return readS3Error(500, {}, body);
  if (!/<CopyObjectResult[\s>]/.test(body)) {
    return { name: 'InternalError', message: 'S3 answered a copy without its result' };
  }
  return undefined;
};

/** ISO 8601 to the second, as POST policies and SigV4 dates are written. */
const iso8601 = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

export class S3ObjectClient {
  private readonly http: SigV4Client;
  private pathStyle: boolean | undefined;

  constructor(private readonly options: S3ClientOptions) {
    this.http = new SigV4Client({
      service: 's3',
      endpointEnvSuffix: 'S3',
      escapePath: false,
      payloadHashHeader: true,
      readError: readS3Error,
      ...options,
    });
  }

  /** Read at first use, like the endpoint: importing a handler reads no settings. */
  private get forcePathStyle(): boolean {
    // An endpoint named by an IP address (an IPv6 one in brackets) cannot take a bucket before
    // its host: path-style, as the SDK's endpoint rules choose too.
    this.pathStyle ??=
      this.options.forcePathStyle ??
      (process.env.S3_FORCE_PATH_STYLE === 'true' ||
        isIP(this.http.endpoint.hostname.replace(/^\[(.*)\]$/, '$1')) !== 0);
    return this.pathStyle;
  }

  /** Path and host of an object: virtual-hosted (`bucket.s3.…/key`) or path-style. */
  private locate({ Bucket, Key }: ObjectAddress): Pick<AwsRequest, 'path' | 'hostPrefix'> {
    // S3's URI encoding of each segment (RFC 3986), the slashes kept.
    const key = escapeUriPath(Key);
    return this.forcePathStyle
      ? { path: `/${Bucket}/${key}` }
      : { hostPrefix: `${Bucket}.`, path: `/${key}` };
  }

  async send<Name extends S3OperationName>(
    operation: Name,
    input: S3Operations[Name]['input'],
  ): Promise<S3Operations[Name]['output']> {
    // TypeScript cannot relate the operation's name to its output, hence the casts.
    type Output = S3Operations[Name]['output'];
    const request = this.requestOf(operation, input);
    if (operation === 'CopyObject') {
      await this.http.sendReadingWhole(request, errorInCopyAnswer);
      return undefined as Output;
    }
    const answer = await this.http.send(request);
    if (operation === 'GetObject') return { body: answer.body, ...etagOf(answer) } as Output;
    // Any other answer's body (a HEAD's is empty) is read to its end, so that the connection
    // goes back to the pool.
    await readText(answer.body);
    if (operation !== 'HeadObject') return undefined as Output;
    return {
      contentLength: Number(answer.headers['content-length'] ?? 0),
      ...etagOf(answer),
    } as Output;
  }

  private requestOf<Name extends S3OperationName>(
    operation: Name,
    input: S3Operations[Name]['input'],
  ): AwsRequest {
    const at = this.locate(input);
    switch (operation) {
      case 'HeadObject':
        return { ...at, method: 'HEAD' };
      case 'GetObject':
        return { ...at, method: 'GET' };
      case 'DeleteObject':
        return { ...at, method: 'DELETE' };
      case 'PutObject': {
        const { Body, ContentType } = input as S3Operations['PutObject']['input'];
        return { ...at, method: 'PUT', body: Body, headers: { 'content-type': ContentType } };
      }
      case 'CopyObject': {
        const { CopySource, CopySourceIfMatch } = input as S3Operations['CopyObject']['input'];
        return {
          ...at,
          method: 'PUT',
          headers: {
            'x-amz-copy-source': CopySource,
            'x-amz-copy-source-if-match': CopySourceIfMatch,
          },
        };
      }
      case 'PutObjectTagging': {
        const { TagSet } = input as S3Operations['PutObjectTagging']['input'];
        const tags = TagSet.map(
          ({ Key, Value }) =>
            `<Tag><Key>${escapeXml(Key)}</Key><Value>${escapeXml(Value)}</Value></Tag>`,
        ).join('');
        const body = Buffer.from(
          `<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet>${tags}</TagSet></Tagging>`,
        );
        return {
          ...at,
          method: 'PUT',
          query: { tagging: '' },
          body,
          // S3 requires a checksum of a tagging request's body.
          headers: {
            'content-type': 'application/xml',
            'content-md5': createHash('md5').update(body).digest('base64'),
          },
        };
      }
    }
    throw new Error(`Unknown S3 operation ${String(operation)}`);
  }

  /** A GET link to one object, with the response headers S3 should send set by `query`. */
  presignGet(
    address: ObjectAddress,
    query: { 'response-content-disposition'?: string },
    expiresInSeconds: number,
    signingDate?: Date,
  ): Promise<string> {
    return this.http.presign(
      { ...this.locate(address), method: 'GET', query: { ...query } },
      expiresInSeconds,
      signingDate,
    );
  }

  /**
   * A browser upload form (S3's POST policy, SigV4): `conditions` bound what S3 accepts, and
   * `fields` are sent as given. Field order and policy as the SDK's createPresignedPost.
   */
  async presignPost(
    { Bucket, Key }: ObjectAddress,
    options: {
      conditions: readonly unknown[];
      fields: Record<string, string>;
      expiresInSeconds: number;
      now?: Date;
    },
  ): Promise<PresignedPost> {
    const now = options.now ?? new Date();
    const signingDate = iso8601(now).replace(/[-:]/g, '');
    const shortDate = signingDate.slice(0, 8);
    const { region } = this.http;
    const credentials = await this.http.credentials();
    const fields: Record<string, string> = {
      ...options.fields,
      bucket: Bucket,
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': `${credentials.accessKeyId}/${createScope(shortDate, region, 's3')}`,
      'X-Amz-Date': signingDate,
      ...(credentials.sessionToken ? { 'X-Amz-Security-Token': credentials.sessionToken } : {}),
    };
    const conditions = [
      ...options.conditions,
      ...Object.entries(fields).map(([name, value]) => ({ [name]: value })),
      { key: Key },
    ];
    const expiration = new Date(now.getTime() + options.expiresInSeconds * 1000);
    const policy = Buffer.from(
      JSON.stringify({
        expiration: iso8601(expiration),
        conditions,
      }),
    ).toString('base64');
    const signingKey = await getSigningKey(Sha256, credentials, shortDate, region, 's3');
    const signature = createHmac('sha256', signingKey).update(policy).digest('hex');
    const { endpoint } = this.http;
    const url = this.forcePathStyle
      ? `${endpoint.origin}${endpoint.pathname.replace(/\/$/, '')}/${Bucket}`
      : `${endpoint.protocol}//${Bucket}.${endpoint.host}${endpoint.pathname}`;
    return { url, fields: { ...fields, key: Key, Policy: policy, 'X-Amz-Signature': signature } };
  }

  destroy(): void {
    this.http.destroy();
  }
}

const etagOf = (answer: AwsResponse) =>
  answer.headers.etag === undefined ? {} : { etag: answer.headers.etag };

/**
 * One S3 client per execution environment; the endpoint comes from AWS_ENDPOINT_URL_S3.
 *
 * The timeouts bound the wait for an answer's headers (a streamed body is not cut off): 3
 * attempts of at most 2.5 s end within an API function's 10 s, so an S3 outage is a 503
 * problem+json, not a Lambda timeout.
 */
export const s3Client = new S3ObjectClient({
  maxAttempts: 3,
  connectionTimeoutMs: 1_000,
  requestTimeoutMs: 2_500,
});

/** For long batch work (the rollup's uploads): more attempts, up to 20 s apart, on 503 SlowDown. */
export const createBatchS3Client = () =>
  new S3ObjectClient({ maxAttempts: 8, connectionTimeoutMs: 2_000, requestTimeoutMs: 30_000 });
