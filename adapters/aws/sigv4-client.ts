/**
 * Signed HTTPS calls to an AWS service's API, built from the SDK's own pieces: Smithy's SigV4
 * signer, its Node HTTP handler and SHA-256, and the SDK's credential provider (the
 * environment's keys in the Lambda bundles, infra/lambda-credentials.ts). The SDK's DynamoDB,
 * S3 and Lambda clients would add about 38, 45 and 20 ms to every cold start of the functions
 * that use them (docs/performance.md) for the eight DynamoDB operations, six S3 operations and
 * one Lambda operation this app makes; adapters/dynamodb/client.ts, adapters/s3/client.ts and
 * adapters/lambda/client.ts make them on this instead.
 *
 * Like the SDK's standard retry mode: failures that pass (throttling, 5xx, timeouts, lost
 * connections; `isUnavailable`) are retried with exponential backoff and full jitter, from a
 * longer base when throttled, up to `maxAttempts` in all.
 */
import type { Readable } from 'node:stream';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { Sha256 } from '@smithy/core/checksum';
import { buildQueryString, HttpRequest } from '@smithy/core/protocols';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { ConfigurationError } from '../../domain/errors.js';
import { isThrottled, isUnavailable } from '../storage-errors.js';

/** What a service answered instead of success, shaped as the SDK's errors are. */
export class AwsServiceError extends Error {
  readonly $fault: 'client' | 'server';
  readonly $metadata: { httpStatusCode: number; requestId?: string; attempts?: number };

  constructor(
    name: string,
    message: string,
    metadata: { httpStatusCode: number; requestId?: string },
  ) {
    super(message);
    this.name = name;
    this.$fault = metadata.httpStatusCode >= 500 ? 'server' : 'client';
    this.$metadata = { ...metadata };
  }
}

/** A request as a service operation shapes it, before the endpoint and the signature. */
export interface AwsRequest {
  method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE';
  /** URI-encoded as it goes on the wire. */
  path: string;
  /** S3's virtual-hosted buckets: `bucket.` before the endpoint's host. */
  hostPrefix?: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: Buffer;
}

export interface AwsResponse {
  statusCode: number;
  /** Names in lower case. */
  headers: Record<string, string | undefined>;
  body: Readable;
}

/** An answer read whole: its body as UTF-8 text. */
export type AwsTextResponse = Omit<AwsResponse, 'body'> & { text: string };

/**
 * For answers that may report a failure with a 2xx status (S3's CopyObject): the failure named
 * in the body, if any. Such a failure counts as a 500.
 */
export type FailureReader = (body: string) => { name: string; message: string } | undefined;

/**
 * How a service tells what failed: the error's name and message from its answer, and any
 * further members of its error (DynamoDB's `CancellationReasons`), set on the error as the SDK
 * sets them.
 */
export type ErrorReader = (
  statusCode: number,
  headers: Record<string, string | undefined>,
  body: string,
) => { name: string; message: string; members?: Record<string, unknown> };

export interface SigV4ClientOptions {
  /** The SigV4 signing name, also the default endpoint's first label: `s3`, `lambda`. */
  service: string;
  /**
   * Where AWS_ENDPOINT_URL_<this> (or AWS_ENDPOINT_URL) names another endpoint, as the SDK
   * reads it: the local stack's emulators.
   */
  endpointEnvSuffix: string;
  /** S3 signs paths as sent; other services sign them URI-encoded once more. */
  escapePath: boolean;
  /** An S3 payload is signed by its SHA-256 header (`x-amz-content-sha256`). */
  payloadHashHeader: boolean;
  readError: ErrorReader;
  maxAttempts: number;
  /** Bounds the wait for a connection and for an answer's headers, not a streamed body. */
  connectionTimeoutMs: number;
  requestTimeoutMs: number;
  /** Defaults: the environment, as the SDK reads it. */
  region?: string;
  endpoint?: string;
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
}

/** What a caller of a service's client chooses: its patience, and for tests, where it goes. */
export type SigV4ClientSettings = Pick<
  SigV4ClientOptions,
  'maxAttempts' | 'connectionTimeoutMs' | 'requestTimeoutMs' | 'region' | 'endpoint' | 'credentials'
>;

interface Connection {
  endpoint: URL;
  region: string;
  signer: SignatureV4;
  handler: NodeHttpHandler;
}

/** Backoff bases as the SDK's standard mode: throttling waits longer than a passing failure. */
const BACKOFF_BASE_MS = 100;
const THROTTLED_BACKOFF_BASE_MS = 500;
const MAX_BACKOFF_MS = 20_000;
const PAYLOAD_HASH_HEADER = 'x-amz-content-sha256';
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

/** A service's failure, with the request id its answer carries. */
const serviceError = (
  name: string,
  message: string,
  httpStatusCode: number,
  headers: AwsResponse['headers'],
) => {
  const requestId = headers['x-amz-request-id'] ?? headers['x-amzn-requestid'];
  return new AwsServiceError(name, message, {
    httpStatusCode,
    ...(requestId === undefined ? {} : { requestId }),
  });
};

/** A response body read whole, as UTF-8. */
export const readText = async (body: Readable): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString('utf8');
};

/** The standard AWS endpoint of a service in a region (China's regions have their own domain). */
export const defaultEndpoint = (service: string, region: string) =>
  `https://${service}.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`;

export class SigV4Client {
  private connection: Connection | undefined;
  private readonly credentialProvider: AwsCredentialIdentityProvider;

  constructor(private readonly options: SigV4ClientOptions) {
    const { credentials } = options;
    this.credentialProvider =
      credentials === undefined
        ? defaultProvider()
        : typeof credentials === 'function'
          ? credentials
          : async () => credentials;
  }

  /** Resolved at first use, as the SDK does, so that importing a handler reads no settings. */
  private connect(): Connection {
    if (this.connection) return this.connection;
    const { options } = this;
    const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
    if (!region) throw new ConfigurationError('Environment variable AWS_REGION is not set');
    const endpoint = new URL(
      // `||`: a variable set empty counts as unset.
      options.endpoint ||
        process.env[`AWS_ENDPOINT_URL_${options.endpointEnvSuffix}`] ||
        process.env.AWS_ENDPOINT_URL ||
        defaultEndpoint(options.service, region),
    );
    this.connection = {
      endpoint,
      region,
      signer: new SignatureV4({
        service: options.service,
        region,
        credentials: this.credentialProvider,
        sha256: Sha256,
        uriEscapePath: options.escapePath,
        applyChecksum: options.payloadHashHeader,
      }),
      handler: new NodeHttpHandler({
        connectionTimeout: options.connectionTimeoutMs,
        requestTimeout: options.requestTimeoutMs,
        // Without it a timed-out request is only logged and waited on.
        throwOnRequestTimeout: true,
      }),
    };
    return this.connection;
  }

  get region(): string {
    return this.connect().region;
  }

  get endpoint(): URL {
    return this.connect().endpoint;
  }

  /** Resolves the credentials, for signatures made outside a request (S3's POST policies). */
  credentials(): Promise<AwsCredentialIdentity> {
    return this.credentialProvider();
  }

  private httpRequest(request: AwsRequest): HttpRequest {
    const { endpoint } = this.connect();
    const hostname = `${request.hostPrefix ?? ''}${endpoint.hostname}`;
    const basePath = endpoint.pathname.replace(/\/$/, '');
    return new HttpRequest({
      protocol: endpoint.protocol,
      hostname,
      ...(endpoint.port ? { port: Number(endpoint.port) } : {}),
      method: request.method,
      path: `${basePath}${request.path}`,
      query: request.query ?? {},
      headers: {
        host: endpoint.port ? `${hostname}:${endpoint.port}` : hostname,
        ...(request.body ? { 'content-length': String(request.body.byteLength) } : {}),
        ...request.headers,
      },
      ...(request.body ? { body: request.body } : {}),
    });
  }

  /**
   * Sends one request, retrying failures that pass; answers other than 2xx become an
   * AwsServiceError named by the service. A successful answer's body is the caller's to read.
   */
  send(request: AwsRequest): Promise<AwsResponse> {
    return this.retrying(() => this.attempt(request));
  }

  /**
   * Sends one request and reads its whole answer within each attempt, so that a connection lost
   * in the middle of an answer is retried like any other (DynamoDB's answers, up to a 1 MB page),
   * and a failure `failureIn` finds in a 2xx answer too.
   */
  sendReadingWhole(request: AwsRequest, failureIn?: FailureReader): Promise<AwsTextResponse> {
    return this.retrying(async () => {
      const { body, ...answer } = await this.attempt(request);
      const text = await readText(body);
      const reported = failureIn?.(text);
      if (reported) throw serviceError(reported.name, reported.message, 500, answer.headers);
      return { ...answer, text };
    });
  }

  private async retrying<T>(attempt: () => Promise<T>): Promise<T> {
    for (let attempts = 1; ; attempts++) {
      try {
        return await attempt();
      } catch (error) {
        if (error instanceof AwsServiceError) error.$metadata.attempts = attempts;
        if (attempts >= this.options.maxAttempts || !isUnavailable(error)) throw error;
        const base = isThrottled(error) ? THROTTLED_BACKOFF_BASE_MS : BACKOFF_BASE_MS;
        await sleep(Math.random() * Math.min(MAX_BACKOFF_MS, base * 2 ** attempts));
      }
    }
  }

  private async attempt(request: AwsRequest): Promise<AwsResponse> {
    const { signer, handler } = this.connect();
    const signed = await signer.sign(this.httpRequest(request));
    const { response } = await handler.handle(signed as HttpRequest);
    const body = response.body as Readable;
    // Node gives header names in lower case.
    const headers: Record<string, string | undefined> = response.headers;
    if (response.statusCode < 200 || response.statusCode >= 300) {
      // Read to its end (a HEAD's too, empty), so that the connection goes back to the pool.
      const { name, message, members } = this.options.readError(
        response.statusCode,
        headers,
        await readText(body),
      );
      throw Object.assign(serviceError(name, message, response.statusCode, headers), members);
    }
    return { statusCode: response.statusCode, headers, body };
  }

  /**
   * A URL that makes `request` without credentials until `expiresInSeconds` have passed. Its
   * payload is unsigned (`UNSIGNED-PAYLOAD`, as S3 expects of presigned URLs); only the host
   * header is signed, so the URL works from any browser.
   */
  async presign(request: AwsRequest, expiresInSeconds: number, signingDate?: Date) {
    const { signer } = this.connect();
    const unsigned = this.httpRequest(request);
    unsigned.headers[PAYLOAD_HASH_HEADER] = UNSIGNED_PAYLOAD;
    const notInUrl = new Set([PAYLOAD_HASH_HEADER]);
    const presigned = await signer.presign(unsigned, {
      expiresIn: expiresInSeconds,
      unsignableHeaders: notInUrl,
      unhoistableHeaders: notInUrl,
      ...(signingDate ? { signingDate } : {}),
    });
    return `${presigned.protocol}//${presigned.headers.host}${presigned.path}?${buildQueryString(presigned.query ?? {})}`;
  }

  /** Ends the client's kept-alive connections. */
  destroy(): void {
    this.connection?.handler.destroy();
  }
}
