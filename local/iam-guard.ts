/**
 * The local stand-in for the functions' IAM roles. DynamoDB Local and s3rver accept any call,
 * so a function whose deployed role lacks an action (a new BatchGetItem, a tag on an object)
 * would work on this machine and fail only in AWS. While a function runs (`runAs`), every AWS
 * call it makes is checked against its permissions (infra/permissions.ts, the definition the
 * CDK roles are built from) and refused as IAM would refuse it. S3's answer to a missing object
 * is played too: 404 only to a role that may list the bucket, 403 to any other.
 *
 * The functions call AWS only through the app's own DynamoDB, S3 and Lambda clients (no bundle
 * carries an SDK client: test/infra/lambda-bundles.test.ts); their `send` is wrapped once per
 * process (clients are module-private to the handlers, so there is no client to hand a
 * middleware to); calls outside `runAs`, such as the stack's own seeding, pass unchecked.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { AwsServiceError } from '../adapters/aws/sigv4-client.js';
import { DynamoDbDocumentClient } from '../adapters/dynamodb/client.js';
import { LambdaInvokeClient } from '../adapters/lambda/client.js';
import { isMissingObject, S3ObjectClient } from '../adapters/s3/client.js';
import type { FunctionDefinition } from '../functions/routes.js';
import { type BucketName, type Permission, permissionsOf } from '../infra/permissions.js';
import { functionNameOf } from './lambda-invoke.js';

/** The names the local stack gives the resources that permissions speak of. */
export interface GuardedResources {
  tableName: string;
  buckets: Record<BucketName, string>;
}

interface Caller {
  entry: string;
  permissions: readonly Permission[];
  resources: GuardedResources;
}

/** One action on one resource, as IAM authorizes it. */
export type Need =
  | { action: string; on: 'table'; table: string; partitionKeys?: readonly string[] }
  | { action: string; on: 'index'; table: string }
  | { action: string; on: 'object'; bucket: string; key: string }
  | { action: string; on: 'bucket'; bucket: string }
  | { action: string; on: 'function'; name: string };

type Input = Record<string, unknown>;

const record = (value: unknown): Input =>
  typeof value === 'object' && value !== null ? (value as Input) : {};

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** An item's or a key's partition, as the app's client takes it (`'LIB#1'`). */
const partitionKeyOf = (item: unknown): string => text(record(item).PK);

const DYNAMODB_ITEM_ACTIONS: Record<string, string> = {
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
  Get: 'dynamodb:GetItem',
};

const dynamoDbNeeds = (operation: string, input: Input): Need[] | undefined => {
  const table = text(input.TableName);
  switch (operation) {
    case 'GetItem':
    case 'DescribeTable':
      return [{ action: `dynamodb:${operation}`, on: 'table', table }];
    case 'Query':
    case 'Scan':
      return [
        input.IndexName === undefined
          ? { action: `dynamodb:${operation}`, on: 'table', table }
          : { action: `dynamodb:${operation}`, on: 'index', table },
      ];
    case 'PutItem':
      return [
        {
          action: 'dynamodb:PutItem',
          on: 'table',
          table,
          partitionKeys: [partitionKeyOf(input.Item)],
        },
      ];
    case 'UpdateItem':
    case 'DeleteItem':
      return [
        {
          action: `dynamodb:${operation}`,
          on: 'table',
          table,
          partitionKeys: [partitionKeyOf(input.Key)],
        },
      ];
    case 'BatchGetItem':
      return Object.keys(record(input.RequestItems)).map((name) => ({
        action: 'dynamodb:BatchGetItem',
        on: 'table',
        table: name,
      }));
    case 'BatchWriteItem':
      return Object.entries(record(input.RequestItems)).map(([name, requests]) => ({
        action: 'dynamodb:BatchWriteItem',
        on: 'table',
        table: name,
        partitionKeys: (Array.isArray(requests) ? requests : []).map((request) =>
          partitionKeyOf(
            record(record(request).PutRequest).Item ?? record(record(request).DeleteRequest).Key,
          ),
        ),
      }));
    case 'TransactWriteItems':
    case 'TransactGetItems':
      // IAM authorizes each item of a transaction by its own action.
      return (Array.isArray(input.TransactItems) ? input.TransactItems : []).flatMap((item) =>
        Object.entries(record(item)).map(([kind, body]): Need => {
          const fields = record(body);
          return {
            action: DYNAMODB_ITEM_ACTIONS[kind] ?? `dynamodb:${kind}`,
            on: 'table',
            table: text(fields.TableName),
            partitionKeys: [partitionKeyOf(fields.Item ?? fields.Key)],
          };
        }),
      );
    default:
      return undefined;
  }
};

const S3_OBJECT_ACTIONS: Record<string, string> = {
  GetObject: 's3:GetObject',
  HeadObject: 's3:GetObject',
  PutObject: 's3:PutObject',
  DeleteObject: 's3:DeleteObject',
  PutObjectTagging: 's3:PutObjectTagging',
  GetObjectTagging: 's3:GetObjectTagging',
};

const s3Needs = (operation: string, input: Input): Need[] | undefined => {
  const bucket = text(input.Bucket);
  const action = S3_OBJECT_ACTIONS[operation];
  if (action !== undefined) return [{ action, on: 'object', bucket, key: text(input.Key) }];
  if (operation === 'CopyObject') {
    // Reads the source (`bucket/key`, URL-encoded) and writes the copy.
    const [sourceBucket = '', ...sourceKey] = decodeURIComponent(text(input.CopySource))
      .replace(/^\//, '')
      .split('/');
    return [
      { action: 's3:GetObject', on: 'object', bucket: sourceBucket, key: sourceKey.join('/') },
      { action: 's3:PutObject', on: 'object', bucket, key: text(input.Key) },
    ];
  }
  if (operation === 'ListObjectsV2' || operation === 'HeadBucket') {
    return [{ action: 's3:ListBucket', on: 'bucket', bucket }];
  }
  return undefined;
};

/**
 * What a call needs, by service and operation (`GetItem`, `PutObject`…); `undefined` for an
 * operation this guard does not know, which it refuses, so a new kind of call is looked at.
 */
export const needsOf = (service: string, operation: string, input: Input): Need[] | undefined => {
  if (service === 'DynamoDB') return dynamoDbNeeds(operation, input);
  if (service === 'S3') return s3Needs(operation, input);
  if (service === 'Lambda' && operation === 'Invoke') {
    return [
      {
        action: 'lambda:InvokeFunction',
        on: 'function',
        name: functionNameOf(text(input.FunctionName)),
      },
    ];
  }
  return undefined;
};

const grants = (permission: Permission, need: Need, resources: GuardedResources): boolean => {
  if (!permission.actions.includes(need.action)) return false;
  const { resource } = permission;
  switch (need.on) {
    case 'table':
      return (
        resource.kind === 'table' &&
        need.table === resources.tableName &&
        (permission.partitionKeyPrefixes === undefined ||
          (need.partitionKeys ?? ['']).every((key) =>
            (permission.partitionKeyPrefixes ?? []).some((prefix) => key.startsWith(prefix)),
          ))
      );
    case 'index':
      return resource.kind === 'tableIndexes' && need.table === resources.tableName;
    case 'object':
      return (
        resource.kind === 'objects' &&
        need.bucket === resources.buckets[resource.bucket] &&
        need.key.startsWith(resource.prefix)
      );
    case 'bucket':
      return resource.kind === 'bucket' && need.bucket === resources.buckets[resource.bucket];
    case 'function':
      return resource.kind === 'function' && need.name === resource.entry;
  }
};

const describe = (need: Need): string => {
  switch (need.on) {
    case 'table':
      return `table ${need.table}${need.partitionKeys ? ` (partition ${need.partitionKeys.join(', ')})` : ''}`;
    case 'index':
      return `an index of table ${need.table}`;
    case 'object':
      return `object ${need.bucket}/${need.key}`;
    case 'bucket':
      return `bucket ${need.bucket}`;
    case 'function':
      return `function ${need.name}`;
  }
};

/** Why the caller may not make the call, or `undefined` when its permissions allow it. */
export const refusalOf = (
  caller: Caller,
  service: string,
  operation: string,
  input: Input,
): string | undefined => {
  const needs = needsOf(service, operation, input);
  if (needs === undefined) {
    return `${caller.entry} called ${service} ${operation}, which the local IAM guard does not know (local/iam-guard.ts)`;
  }
  const missing = needs.find(
    (need) => !caller.permissions.some((permission) => grants(permission, need, caller.resources)),
  );
  return missing === undefined
    ? undefined
    : `${caller.entry} is not authorized to perform ${missing.action} on ${describe(missing)} (infra/permissions.ts)`;
};

const accessDenied = (service: string, message: string) =>
  // The names and statuses each service answers a refused call with.
  new AwsServiceError(service === 'S3' ? 'AccessDenied' : 'AccessDeniedException', message, {
    httpStatusCode: service === 'DynamoDB' ? 400 : 403,
  });

const callers = new AsyncLocalStorage<Caller>();
const refused: string[] = [];
let installed = false;

/** Makes one call as the caller of the moment (if any) may: refused, or made and its answer played. */
const guardCall = async <T>(
  service: string,
  operation: string,
  input: Input,
  call: () => Promise<T>,
): Promise<T> => {
  const caller = callers.getStore();
  if (caller === undefined) return call();
  const refusal = refusalOf(caller, service, operation, input);
  if (refusal !== undefined) {
    refused.push(refusal);
    console.error(`local IAM: ${refusal}`);
    throw accessDenied(service, refusal);
  }
  try {
    return await call();
  } catch (error) {
    if (
      service === 'S3' &&
      (operation === 'GetObject' || operation === 'HeadObject') &&
      isMissingObject(error) &&
      refusalOf(caller, 'S3', 'ListObjectsV2', { Bucket: input.Bucket }) !== undefined
    ) {
      throw accessDenied(
        'S3',
        `${caller.entry} may not list ${text(input.Bucket)}: S3 answers a missing object with 403`,
      );
    }
    throw error;
  }
};

/** The app's own clients (on adapters/aws/sigv4-client.ts): `send(operation, input)`. */
const guardOperationClient = (service: string, prototype: { send: unknown }) => {
  const send = prototype.send as (
    this: unknown,
    operation: string,
    input: Input,
  ) => Promise<unknown>;
  prototype.send = function (this: unknown, operation: string, input: Input) {
    return guardCall(service, operation, input, () => send.call(this, operation, input));
  };
};

const install = () => {
  if (installed) return;
  installed = true;
  guardOperationClient('DynamoDB', DynamoDbDocumentClient.prototype);
  guardOperationClient('S3', S3ObjectClient.prototype);
  guardOperationClient('Lambda', LambdaInvokeClient.prototype);
};

export interface IamGuard {
  /** Runs `work` as function `entry`: its AWS calls are checked against that function's role. */
  runAs<T>(entry: string, work: () => T): T;
  /** Every call refused so far in this process, for tests to assert there were none. */
  refusals(): readonly string[];
}

export const createIamGuard = (
  definitions: readonly FunctionDefinition[],
  resources: GuardedResources,
): IamGuard => {
  install();
  const byEntry = new Map(
    definitions.map((definition) => [
      definition.entry,
      { entry: definition.entry, permissions: permissionsOf(definition), resources },
    ]),
  );
  return {
    runAs: (entry, work) => {
      const caller = byEntry.get(entry);
      if (caller === undefined) throw new Error(`No function ${entry} to run as`);
      return callers.run(caller, work);
    },
    refusals: () => [...refused],
  };
};
