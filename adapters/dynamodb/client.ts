/**
 * DynamoDB's API on the SigV4 client the functions share (adapters/aws/sigv4-client.ts), reading
 * and writing items as plain objects, instead of the SDK's DynamoDB client and its document
 * client: about 38 ms less at every cold start of every function (docs/performance.md), for the
 * eight operations this app makes. Operations and inputs are those of the DynamoDB API and the
 * SDK's document client, so the stores read as they did and the local IAM guard
 * (local/iam-guard.ts) reads them by those names.
 *
 * What is DynamoDB's here is its JSON protocol: the operation in `X-Amz-Target`, items
 * converted to and from attribute values by the SDK's own `@aws-sdk/util-dynamodb` (the
 * converter the document client uses), errors named by `__type`. Retries are the SigV4
 * client's (throttling, 5xx, timeouts, lost connections, also in the middle of an answer;
 * storage-errors.ts), and, as the SDK does, a TransactWriteItems gets one ClientRequestToken for
 * all its attempts, so a write retried after a timeout cannot apply twice.
 *
 * Converted are the members this app uses: items, keys, expression values and the answers'
 * items and keys. Not converted: binary attributes (JSON would need them in base64; the app
 * stores none) and the legacy parameters (`Expected`, `AttributeUpdates`, `KeyConditions`,
 * `QueryFilter`), which the expression members replace. The operations' types are the SDK
 * document client's (`@aws-sdk/lib-dynamodb`, a development dependency: types only).
 */
import { randomUUID } from 'node:crypto';
import type {
  BatchGetCommandInput,
  BatchGetCommandOutput,
  BatchWriteCommandInput,
  BatchWriteCommandOutput,
  DeleteCommandInput,
  DeleteCommandOutput,
  GetCommandInput,
  GetCommandOutput,
  PutCommandInput,
  PutCommandOutput,
  QueryCommandInput,
  QueryCommandOutput,
  TransactWriteCommandInput,
  TransactWriteCommandOutput,
  UpdateCommandInput,
  UpdateCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { marshall, type NativeAttributeValue, unmarshall } from '@aws-sdk/util-dynamodb';
import { SigV4Client, type SigV4ClientSettings } from '../aws/sigv4-client.js';

/** An answer as the adapters read it: without the SDK's `$metadata`. */
type Answer<Output> = Omit<Output, '$metadata'>;

/** Each operation's input and answer, with items as plain objects. */
export interface DynamoDbOperations {
  GetItem: { input: GetCommandInput; output: Answer<GetCommandOutput> };
  PutItem: { input: PutCommandInput; output: Answer<PutCommandOutput> };
  UpdateItem: { input: UpdateCommandInput; output: Answer<UpdateCommandOutput> };
  DeleteItem: { input: DeleteCommandInput; output: Answer<DeleteCommandOutput> };
  Query: { input: QueryCommandInput; output: Answer<QueryCommandOutput> };
  BatchGetItem: { input: BatchGetCommandInput; output: Answer<BatchGetCommandOutput> };
  BatchWriteItem: { input: BatchWriteCommandInput; output: Answer<BatchWriteCommandOutput> };
  TransactWriteItems: {
    input: TransactWriteCommandInput;
    output: Answer<TransactWriteCommandOutput>;
  };
}

export type DynamoDbOperationName = keyof DynamoDbOperations;

/** What the stores need of a client: one call by operation name. Tests hand them their own. */
export interface DocumentClient {
  send<Name extends DynamoDbOperationName>(
    operation: Name,
    input: DynamoDbOperations[Name]['input'],
  ): Promise<DynamoDbOperations[Name]['output']>;
}

type Item = Record<string, NativeAttributeValue>;
type WireItem = Record<string, unknown>;
type Fields = Record<string, unknown>;

/** An attribute left undefined is left out, as the document client's `removeUndefinedValues`. */
const toWire = (item: Item): WireItem => marshall(item, { removeUndefinedValues: true });
const fromWire = (item: unknown): Item => unmarshall(item as Parameters<typeof unmarshall>[0]);

/** The same object with the named members (where present) converted. */
const converting = (
  fields: object,
  names: readonly string[],
  convert: (value: never) => unknown,
) => {
  const converted: Fields = { ...fields };
  for (const name of names) {
    const value = converted[name];
    if (value !== undefined) converted[name] = convert(value as never);
  }
  return converted;
};

const mapValues = <T, U>(record: Record<string, T> | undefined, map: (value: T) => U) =>
  record === undefined
    ? undefined
    : Object.fromEntries(Object.entries(record).map(([key, value]) => [key, map(value)]));

/** The members of an input or a transaction's item that hold an item, a key or values. */
const ITEM_MEMBERS = ['Item', 'Key', 'ExclusiveStartKey', 'ExpressionAttributeValues'] as const;
const writeMembers = (fields: object) => converting(fields, ITEM_MEMBERS, toWire);

interface WriteRequest {
  PutRequest?: { Item: Item };
  DeleteRequest?: { Key: Item };
}

const writeRequests = (requests: readonly WriteRequest[], convert: (item: never) => unknown) =>
  requests.map(({ PutRequest, DeleteRequest }) =>
    PutRequest
      ? { PutRequest: { Item: convert(PutRequest.Item as never) } }
      : { DeleteRequest: { Key: convert((DeleteRequest ?? { Key: {} }).Key as never) } },
  );

const requestOf = (operation: DynamoDbOperationName, input: Fields): Fields => {
  switch (operation) {
    case 'BatchGetItem':
      return {
        ...input,
        RequestItems: mapValues(input.RequestItems as Record<string, { Keys: Item[] }>, (read) => ({
          ...read,
          Keys: read.Keys.map(toWire),
        })),
      };
    case 'BatchWriteItem':
      return {
        ...input,
        RequestItems: mapValues(input.RequestItems as Record<string, WriteRequest[]>, (requests) =>
          writeRequests(requests, toWire),
        ),
      };
    case 'TransactWriteItems':
      return {
        ...input,
        // One token for every attempt: DynamoDB applies a retried transaction once.
        ClientRequestToken: input.ClientRequestToken ?? randomUUID(),
        TransactItems: (input.TransactItems as Fields[]).map((item) =>
          mapValues(item as Record<string, object>, writeMembers),
        ),
      };
    default:
      return writeMembers(input);
  }
};

const answerOf = (operation: DynamoDbOperationName, answer: Fields): Fields => {
  switch (operation) {
    case 'Query':
      return converting(
        converting(answer, ['LastEvaluatedKey'], fromWire),
        ['Items'],
        (items: unknown[]) => items.map(fromWire),
      );
    case 'BatchGetItem':
      return {
        ...answer,
        Responses: mapValues(answer.Responses as Record<string, unknown[]>, (items) =>
          items.map(fromWire),
        ),
        UnprocessedKeys: mapValues(
          answer.UnprocessedKeys as Record<string, { Keys: unknown[] }>,
          (read) => ({ ...read, Keys: read.Keys.map(fromWire) }),
        ),
      };
    case 'BatchWriteItem':
      return {
        ...answer,
        UnprocessedItems: mapValues(
          answer.UnprocessedItems as Record<string, WriteRequest[]>,
          (requests) => writeRequests(requests, fromWire),
        ),
      };
    default:
      return converting(answer, ['Item', 'Attributes'], fromWire);
  }
};

/**
 * DynamoDB's error: `{"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",
 * "message":"…"}`, with the old item (`Item`) of a failed condition and a cancelled
 * transaction's `CancellationReasons` converted to plain objects.
 */
export const readDynamoDbError = (
  statusCode: number,
  headers: Record<string, string | undefined>,
  body: string,
) => {
  let fields: Fields = {};
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null) fields = parsed as Fields;
  } catch {
    // Not JSON (a proxy's page): the header or the status names it.
  }
  const { __type, message, Message, ...members } = fields;
  const type = typeof __type === 'string' ? __type : (headers['x-amzn-errortype'] ?? '');
  const name = type.split('#').pop()?.split(':')[0];
  const explained = message ?? Message;
  const reasons = members.CancellationReasons;
  return {
    name: name || `Http${statusCode}`,
    message: typeof explained === 'string' ? explained : `DynamoDB answered HTTP ${statusCode}`,
    members: {
      ...converting(members, ['Item'], fromWire),
      ...(Array.isArray(reasons)
        ? {
            CancellationReasons: reasons.map((reason: Fields) =>
              converting(reason, ['Item'], fromWire),
            ),
          }
        : {}),
    },
  };
};

/** Whether a write was refused because its condition failed (ConditionExpression). */
export const isConditionFailure = (error: unknown): boolean =>
  (error as { name?: unknown } | null)?.name === 'ConditionalCheckFailedException';

export class DynamoDbDocumentClient implements DocumentClient {
  private readonly http: SigV4Client;

  constructor(options: SigV4ClientSettings) {
    this.http = new SigV4Client({
      service: 'dynamodb',
      endpointEnvSuffix: 'DYNAMODB',
      escapePath: true,
      payloadHashHeader: false,
      readError: readDynamoDbError,
      ...options,
    });
  }

  async send<Name extends DynamoDbOperationName>(
    operation: Name,
    input: DynamoDbOperations[Name]['input'],
  ): Promise<DynamoDbOperations[Name]['output']> {
    const { text } = await this.http.sendReadingWhole({
      method: 'POST',
      path: '/',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': `DynamoDB_20120810.${operation}`,
      },
      body: Buffer.from(JSON.stringify(requestOf(operation, input as Fields))),
    });
    return answerOf(
      operation,
      text ? (JSON.parse(text) as Fields) : {},
    ) as DynamoDbOperations[Name]['output'];
  }

  /** Ends the client's kept-alive connections. */
  destroy(): void {
    this.http.destroy();
  }
}

/** Where a client goes; by default the environment's region and AWS_ENDPOINT_URL_DYNAMODB. */
type Destination = Pick<SigV4ClientSettings, 'endpoint' | 'region' | 'credentials'>;

/**
 * The API's patience. Short timeouts turn a dead or hung table into a quick 503 instead of a
 * hung request: an API function has 10 s, and 3 attempts of at most 2.5 s each (plus backoff of
 * under a second, or up to 3 s after throttling, which is answered at once) end before that, so
 * the caller gets a problem+json 503 rather than a Lambda timeout (a bare 500).
 */
export const createApiDocumentClient = (destination: Destination = {}) =>
  new DynamoDbDocumentClient({
    maxAttempts: 3,
    connectionTimeoutMs: 1_000,
    requestTimeoutMs: 2_500,
    ...destination,
  });

/**
 * One client per execution environment. The endpoint comes from AWS_ENDPOINT_URL_DYNAMODB, as
 * the SDK reads it, so the local stack needs no code path of its own. Whatever else talks to the
 * table from an API function (the idempotency records) uses this client too.
 */
export const documentClient = createApiDocumentClient();

/**
 * For long batch work (the rollup): more attempts, whose backoff (up to 20 s) also slows the
 * client down while DynamoDB throttles, and timeouts for large pages rather than API latency,
 * which still end a hung call well within the worker's 300 s.
 */
export const createBatchDocumentClient = (destination: Destination = {}) =>
  new DynamoDbDocumentClient({
    maxAttempts: 8,
    connectionTimeoutMs: 2_000,
    requestTimeoutMs: 15_000,
    ...destination,
  });
