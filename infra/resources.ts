/**
 * Definitions of the stateful resources shared by the CDK stack and the local stack, so the
 * table the handlers see locally has exactly the keys and indexes of the deployed one.
 * Plain data: no CDK or SDK imports.
 */
export interface KeyAttribute {
  name: string;
  type: 'S' | 'N';
}

export interface IndexDefinition {
  indexName: string;
  partitionKey: KeyAttribute;
  sortKey: KeyAttribute;
}

export interface TableDefinition {
  partitionKey: KeyAttribute;
  sortKey: KeyAttribute;
  /** Epoch-seconds attribute after which DynamoDB deletes an item (idempotency records). */
  timeToLiveAttribute: string;
  globalSecondaryIndexes: readonly IndexDefinition[];
}

export const mainTable: TableDefinition = {
  partitionKey: { name: 'PK', type: 'S' },
  sortKey: { name: 'SK', type: 'S' },
  timeToLiveAttribute: 'expiration',
  globalSecondaryIndexes: [
    // Every head of one (form, period): the province list and the nightly rollup query this.
    {
      indexName: 'GSI1',
      partitionKey: { name: 'GSI1PK', type: 'S' },
      sortKey: { name: 'GSI1SK', type: 'S' },
    },
  ],
};

/** Logical bucket names; the local stack uses them as bucket names, CDK as construct ids. */
export const buckets = {
  evidence: 'evidence',
  reports: 'reports',
} as const;

/** Environment variables through which functions learn their resources' names. */
export const resourceEnv = {
  tableName: 'TABLE_NAME',
  evidenceBucket: 'EVIDENCE_BUCKET',
  reportsBucket: 'REPORTS_BUCKET',
  /** The rollup worker, for the function that starts runs (see FunctionDefinition.invokes). */
  rollupFunction: 'ROLLUP_FUNCTION_NAME',
} as const;

/**
 * Where verified evidence lives in the evidence bucket, and the tag of deleted ones. Only the
 * verify function writes here, copying the very bytes it checked from the upload.
 */
export const EVIDENCE_PREFIX = 'evidence/';
/**
 * Where browsers upload evidence with presigned POSTs. An upload link stays usable until it
 * expires, so its key is never the one downloads read: a second POST after verification
 * cannot replace the checked file.
 */
export const UPLOAD_PREFIX = 'uploads/';
/** Days an upload is kept: verification copies it within seconds; the rest was never completed. */
export const UPLOAD_RETENTION_DAYS = 1;
export const EVIDENCE_DELETED_TAG = { Key: 'evidence-state', Value: 'deleted' } as const;

/** Where rollup runs write their files (and `latest` pointers) in the reports bucket. */
export const ROLLUP_PREFIX = 'rollups/';
/** Table partitions of rollup run records (`ROLLUP#<formId>#<period>`), the only items the rollup functions write. */
export const ROLLUP_RUN_PARTITION_PREFIX = 'ROLLUP#';
/**
 * The table's partitions by what they hold, as partition key prefixes: a function that writes
 * may write only the partitions it names (functions/routes.ts `writes`, IAM `dynamodb:LeadingKeys`).
 */
export const PARTITIONS = {
  /** A library's reports, revisions and evidence: `LIB#<libraryId>`. */
  library: 'LIB#',
  /** A form and period's window and lock exceptions: `PERIOD#<formId>#<period>`. */
  period: 'PERIOD#',
  /**
   * Idempotency records: Powertools keeps them under `idempotency#<function name>` (its
   * DynamoDB layer's partition when the table has a sort key), the request's hash as sort key.
   */
  idempotency: 'idempotency#',
  /** Rollup run records: `ROLLUP#<formId>#<period>`. */
  rollupRuns: ROLLUP_RUN_PARTITION_PREFIX,
} as const;
export type Partition = keyof typeof PARTITIONS;
