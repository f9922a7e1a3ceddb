/**
 * What each function's role may do, as data: the one definition that infra/api-stack.ts turns
 * into IAM statements and that the local stack enforces on every AWS call a function makes
 * (local/iam-guard.ts), so a call the deployed role would refuse fails in `npm start` and in
 * the integration tests too, not first in AWS.
 */
import type {
  EvidenceAccess,
  FunctionDefinition,
  ReportsAccess,
  TableAccess,
} from '../functions/routes.js';
import { EVIDENCE_PREFIX, PARTITIONS, ROLLUP_PREFIX, UPLOAD_PREFIX } from './resources.js';

export type BucketName = 'evidence' | 'reports';

export type PermissionResource =
  | { kind: 'table' }
  /** Every global secondary index of the table. */
  | { kind: 'tableIndexes' }
  /** The objects under `prefix` in a bucket. */
  | { kind: 'objects'; bucket: BucketName; prefix: string }
  /** The bucket itself (listing). */
  | { kind: 'bucket'; bucket: BucketName }
  /** Another function of the table (functions/routes.ts). */
  | { kind: 'function'; entry: string };

export interface Permission {
  actions: readonly string[];
  resource: PermissionResource;
  /** Only items whose partition key starts with one of these (IAM `dynamodb:LeadingKeys`). */
  partitionKeyPrefixes?: readonly string[];
}

/**
 * The table actions of each access level: exactly what the adapters send (adapters/dynamodb,
 * including BatchGetItem for reads asked for together, and Powertools idempotency's records).
 * A transaction needs the action of each of its items (PutItem, UpdateItem…), not one of its own.
 */
const TABLE_READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'];
/**
 * ConditionCheckItem: a transaction's check of an item it does not write (verification records
 * its decision only while the evidence's report is editable), in the partitions written. Every
 * writer has it with its writes: it shows no more than the reads each already has.
 */
const TABLE_WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:ConditionCheckItem',
];
/** Rollup run records are only ever put whole (adapters/dynamodb/rollup-run-store.ts). */
const RUN_WRITE_ACTIONS = ['dynamodb:PutItem'];

/**
 * `list` is s3:ListBucket on the bucket, for functions that read objects which may not exist:
 * without it S3 answers a GetObject or HeadObject of a missing key with 403 AccessDenied
 * instead of 404, and the code could not tell "not uploaded yet" or "no run published yet"
 * from a refusal. A condition on `s3:prefix` cannot narrow it: that key is only present in a
 * listing request, not in the GetObject whose answer depends on the permission.
 */
const OBJECT_ACTIONS: Record<Exclude<EvidenceAccess | ReportsAccess, 'list'>, string> = {
  put: 's3:PutObject',
  get: 's3:GetObject',
  delete: 's3:DeleteObject',
  tag: 's3:PutObjectTagging',
};

const tablePermissions = (definition: FunctionDefinition): Permission[] => {
  const access: TableAccess = definition.table;
  if (access === 'none') return [];
  const reads: Permission[] = [
    { actions: TABLE_READ_ACTIONS, resource: { kind: 'table' } },
    { actions: ['dynamodb:Query'], resource: { kind: 'tableIndexes' } },
  ];
  if (access === 'readWrite') {
    if (!definition.writes?.length) {
      throw new Error(`${definition.entry}: readWrite names no partitions it writes`);
    }
    return [
      ...reads,
      {
        actions: TABLE_WRITE_ACTIONS,
        resource: { kind: 'table' },
        partitionKeyPrefixes: definition.writes.map((partition) => PARTITIONS[partition]),
      },
    ];
  }
  if (access === 'readWriteRuns') {
    return [
      ...reads,
      {
        actions: RUN_WRITE_ACTIONS,
        resource: { kind: 'table' },
        partitionKeyPrefixes: [PARTITIONS.rollupRuns],
      },
    ];
  }
  return reads;
};

/** Object actions on each prefix of one bucket, and one listing of the bucket if any asks it. */
const bucketPermissions = (
  bucket: BucketName,
  prefixes: readonly [prefix: string, accesses?: readonly (EvidenceAccess | ReportsAccess)[]][],
): Permission[] => {
  const objects = prefixes.flatMap(([prefix, accesses = []]): Permission[] => {
    const actions = accesses.flatMap((access) =>
      access === 'list' ? [] : [OBJECT_ACTIONS[access]],
    );
    return actions.length > 0 ? [{ actions, resource: { kind: 'objects', bucket, prefix } }] : [];
  });
  const lists = prefixes.some(([, accesses = []]) => accesses.includes('list'));
  return [
    ...objects,
    ...(lists
      ? [{ actions: ['s3:ListBucket'], resource: { kind: 'bucket', bucket } } as const]
      : []),
  ];
};

/** Everything the role of `definition`'s function may do. */
export const permissionsOf = (definition: FunctionDefinition): Permission[] => [
  ...tablePermissions(definition),
  ...bucketPermissions('evidence', [
    [EVIDENCE_PREFIX, definition.evidence],
    [UPLOAD_PREFIX, definition.uploads],
  ]),
  ...bucketPermissions('reports', [[ROLLUP_PREFIX, definition.reports]]),
  ...(definition.invokes === undefined
    ? []
    : [
        {
          actions: ['lambda:InvokeFunction'],
          resource: { kind: 'function', entry: definition.invokes },
        } as const,
      ]),
];
