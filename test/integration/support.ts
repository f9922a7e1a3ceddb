/** What integration tests need to talk to the stack started by global-setup.ts. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { createApiDocumentClient } from '../../adapters/dynamodb/client.js';
import { S3ObjectClient } from '../../adapters/s3/client.js';
import type { Role } from '../../domain/auth/principal.js';
import { loadOrCreateSigningKey, signDevToken } from '../../local/jwt.js';

const required = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run through the integration jest project`);
  return value;
};

export const stack = {
  url: required('LOCAL_STACK_URL'),
  dataDir: required('LOCAL_STACK_DATA_DIR'),
  dynamoDbEndpoint: required('LOCAL_STACK_DYNAMODB'),
  s3Endpoint: required('LOCAL_STACK_S3'),
  tableName: required('LOCAL_STACK_TABLE'),
};

const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export const dynamoDbClient = () =>
  new DynamoDBClient({ endpoint: stack.dynamoDbEndpoint, region: 'us-east-1', credentials });

export const s3Client = () =>
  new S3Client({
    endpoint: stack.s3Endpoint,
    region: 'us-east-1',
    credentials,
    forcePathStyle: true,
  });

/** The app's own S3 client (adapters/s3/client.ts) on the stack's s3rver, for the adapters. */
export const appS3Client = () =>
  new S3ObjectClient({
    endpoint: stack.s3Endpoint,
    region: 'us-east-1',
    credentials,
    forcePathStyle: true,
    maxAttempts: 3,
    connectionTimeoutMs: 1_000,
    requestTimeoutMs: 2_500,
  });

/** The app's own DynamoDB client (adapters/dynamodb/client.ts) on the stack's table, for the adapters. */
export const appDynamoDbClient = () =>
  createApiDocumentClient({ endpoint: stack.dynamoDbEndpoint, region: 'us-east-1', credentials });

export const tokenFor = async (role: Role, libraryId?: string): Promise<string> =>
  signDevToken(await loadOrCreateSigningKey(stack.dataDir), {
    role,
    ...(libraryId ? { libraryId } : {}),
  });

export const api = (path: string, init: RequestInit & { token?: string } = {}) => {
  const { token, headers, ...rest } = init;
  return fetch(`${stack.url}${path}`, {
    ...rest,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
  });
};

/**
 * A request to the API of a stack at `apiUrl` (a test's own, not the shared one) with a token,
 * and a JSON body when one is given.
 */
export const requestTo = (
  apiUrl: string,
  path: string,
  method: string,
  token: string,
  body?: unknown,
) =>
  fetch(`${apiUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

/** A JSON body sent to the stack with a token. */
export const sendJson = (path: string, method: string, token: string, body: unknown) =>
  api(path, {
    method,
    token,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

/** An answer's body, which must come with `status`; otherwise an error showing what came. */
export const answerText = async (response: Response, status: number): Promise<string> => {
  const text = await response.text();
  if (response.status !== status) {
    throw new Error(`expected ${status}, got ${response.status}: ${text}`);
  }
  return text;
};

/** An answer's JSON body, which must come with `status` and as application/json. */
export const answerJson = async <T = unknown>(response: Response, status: number): Promise<T> => {
  const text = await answerText(response, status);
  const type = response.headers.get('content-type') ?? '';
  if (!type.startsWith('application/json')) {
    throw new Error(`expected application/json, got "${type}": ${text}`);
  }
  return JSON.parse(text) as T;
};
