/**
 * The API's route table: the single source for the CDK HTTP API and the local HTTP server, so
 * the two cannot disagree about which handler serves which path or which routes need a token.
 * Plain data: importing it loads no handler code.
 */
import type { Partition } from '../infra/resources.js';

export type HttpMethod = 'GET' | 'PUT' | 'POST' | 'DELETE';

/**
 * What a function may do with the table; CDK turns it into least-privilege grants.
 * `readWrite`: read everything, put, update and delete items of the partitions it `writes`.
 * `readWriteRuns`: read everything, only put rollup run records (partitions `ROLLUP#…`).
 */
export type TableAccess = 'none' | 'read' | 'readWrite' | 'readWriteRuns';

/**
 * What a function may do with objects under a prefix of the evidence bucket (`evidence/` for
 * verified files, `uploads/` for what browsers upload); `list` (the bucket's listing) is what
 * makes S3 answer a missing object with 404 rather than 403 (infra/permissions.ts).
 */
export type EvidenceAccess = 'put' | 'get' | 'delete' | 'tag' | 'list';

/** What a function may do with objects under the reports bucket's `rollups/` prefix (`list`: as above). */
export type ReportsAccess = 'put' | 'get' | 'list';

export interface FunctionDefinition {
  /** Kebab-case file name under functions/, exporting `handler`. */
  entry: string;
  table: TableAccess;
  /** With `readWrite`, the only partitions it may write (infra/resources.ts PARTITIONS). */
  writes?: readonly Partition[];
  evidence?: readonly EvidenceAccess[];
  /** What it may do under the evidence bucket's `uploads/` prefix. */
  uploads?: readonly EvidenceAccess[];
  /** Invoked by the bucket's ObjectCreated notifications for uploads (in AWS). */
  s3Trigger?: 'evidence';
  reports?: readonly ReportsAccess[];
  /** The one function this one may invoke; its name reaches it in ROLLUP_FUNCTION_NAME. */
  invokes?: string;
  /**
   * Invoked asynchronously (by another function or a schedule), never by the API: Lambda
   * retries a failed event `retryAttempts` times within `maxEventAgeMinutes`, then sends it to
   * a dead-letter queue; an alarm watches its errors.
   */
  asyncInvocation?: { retryAttempts: 0 | 1 | 2; maxEventAgeMinutes: number };
  /** Invoked every night by EventBridge Scheduler (context `rollupSchedule`) with this payload. */
  nightly?: { payload: Readonly<Record<string, unknown>> };
  /** Defaults: 512 MB, 10 s (API functions answer within API Gateway's 30 s). */
  memorySize?: number;
  timeoutSeconds?: number;
  description: string;
}

export interface RouteDefinition {
  method: HttpMethod;
  /** API Gateway route path, with `{name}` path parameters. */
  path: string;
  function: FunctionDefinition['entry'];
  /** `jwt`: behind the JWT authorizer; `public`: anyone, no token. */
  auth: 'jwt' | 'public';
}

export const functions = [
  { entry: 'health', table: 'read', description: 'Readiness of the API and its table' },
  { entry: 'list-libraries', table: 'read', description: 'Library registry, filtered by role' },
  { entry: 'list-forms', table: 'none', description: 'Active forms' },
  { entry: 'get-form', table: 'none', description: 'Compiled UI model of one form' },
  { entry: 'get-submission', table: 'read', description: 'Current head of a report' },
  {
    entry: 'save-submission',
    table: 'readWrite',
    writes: ['library', 'idempotency'],
    description: 'Save a draft revision',
  },
  {
    entry: 'submit-submission',
    table: 'readWrite',
    writes: ['library', 'idempotency'],
    description: 'Final submission',
  },
  {
    entry: 'review-submission',
    table: 'readWrite',
    writes: ['library', 'idempotency'],
    description: 'Return, accept, reopen',
  },
  { entry: 'get-revisions', table: 'read', description: 'Revision history of a report' },
  { entry: 'list-submissions', table: 'read', description: 'Reports of a form and period' },
  { entry: 'get-period', table: 'read', description: 'Period window and exceptions' },
  {
    entry: 'manage-period',
    table: 'readWrite',
    writes: ['period'],
    description: 'Set windows and lock exceptions',
  },
  {
    entry: 'presign-evidence',
    table: 'readWrite',
    writes: ['library'],
    uploads: ['put'],
    description: 'Presigned upload of evidence',
  },
  {
    entry: 'verify-evidence',
    table: 'readWrite',
    writes: ['library'],
    // A client may ask before its upload has arrived: the object's absence must read as 404.
    // Checked bytes are copied to `evidence/` (get the upload, put the copy) and the upload
    // deleted; a copy that lost to a concurrent rejection is deleted again. Evidence uploaded in
    // place before uploads had their own prefix is still verified there (get, delete, tag).
    uploads: ['get', 'delete', 'list'],
    evidence: ['get', 'put', 'delete', 'tag', 'list'],
    s3Trigger: 'evidence',
    description: 'Verify uploaded evidence (S3 event or client)',
  },
  { entry: 'list-evidence', table: 'read', evidence: ['get'], description: 'Evidence with links' },
  {
    entry: 'delete-evidence',
    table: 'readWrite',
    writes: ['library'],
    // Evidence deleted before its upload arrived has no object to tag: told apart by 404. Its
    // pending upload, if any, is deleted.
    evidence: ['tag', 'list'],
    uploads: ['delete'],
    description: 'Delete evidence',
  },
  {
    entry: 'start-rollup',
    table: 'readWriteRuns',
    invokes: 'run-rollup',
    description: 'Start a rollup run now (asynchronous)',
  },
  {
    entry: 'get-rollup',
    table: 'read',
    // Before the first run of a period is published there is no `latest` pointer to read.
    reports: ['get', 'list'],
    description: 'Latest rollup run and links to its files',
  },
  {
    entry: 'run-rollup',
    table: 'readWriteRuns',
    // The first run of a period finds no previous `latest` pointer.
    reports: ['put', 'get', 'list'],
    asyncInvocation: { retryAttempts: 2, maxEventAgeMinutes: 60 },
    nightly: { payload: { scheduled: true } },
    memorySize: 1024,
    timeoutSeconds: 300,
    description: 'Compute and publish a rollup (started runs and the nightly schedule)',
  },
  {
    entry: 'import-narrative',
    table: 'none',
    description: 'Suggested values from a pasted work summary (stores nothing)',
  },
] as const satisfies readonly FunctionDefinition[];

export type FunctionEntry = (typeof functions)[number]['entry'];

const SUBMISSION = '/api/libraries/{libraryId}/submissions/{formId}/{period}';
const PERIOD = '/api/periods/{formId}/{period}';
const EVIDENCE = `${SUBMISSION}/evidence/{evidenceId}`;
const ROLLUP = '/api/rollups/{formId}/{period}';

export const routes: readonly (RouteDefinition & { function: FunctionEntry })[] = [
  { method: 'GET', path: '/api/health', function: 'health', auth: 'public' },
  { method: 'GET', path: '/api/libraries', function: 'list-libraries', auth: 'jwt' },
  { method: 'GET', path: '/api/forms', function: 'list-forms', auth: 'jwt' },
  { method: 'GET', path: '/api/forms/{formId}', function: 'get-form', auth: 'jwt' },
  { method: 'GET', path: SUBMISSION, function: 'get-submission', auth: 'jwt' },
  { method: 'PUT', path: SUBMISSION, function: 'save-submission', auth: 'jwt' },
  { method: 'POST', path: `${SUBMISSION}/submit`, function: 'submit-submission', auth: 'jwt' },
  { method: 'POST', path: `${SUBMISSION}/return`, function: 'review-submission', auth: 'jwt' },
  { method: 'POST', path: `${SUBMISSION}/accept`, function: 'review-submission', auth: 'jwt' },
  { method: 'POST', path: `${SUBMISSION}/reopen`, function: 'review-submission', auth: 'jwt' },
  { method: 'GET', path: `${SUBMISSION}/revisions`, function: 'get-revisions', auth: 'jwt' },
  {
    method: 'GET',
    path: `${SUBMISSION}/revisions/{revision}`,
    function: 'get-revisions',
    auth: 'jwt',
  },
  { method: 'GET', path: '/api/submissions', function: 'list-submissions', auth: 'jwt' },
  { method: 'GET', path: PERIOD, function: 'get-period', auth: 'jwt' },
  { method: 'PUT', path: PERIOD, function: 'manage-period', auth: 'jwt' },
  { method: 'POST', path: `${PERIOD}/exceptions`, function: 'manage-period', auth: 'jwt' },
  { method: 'POST', path: `${SUBMISSION}/evidence`, function: 'presign-evidence', auth: 'jwt' },
  { method: 'GET', path: `${SUBMISSION}/evidence`, function: 'list-evidence', auth: 'jwt' },
  { method: 'POST', path: `${EVIDENCE}/complete`, function: 'verify-evidence', auth: 'jwt' },
  { method: 'DELETE', path: EVIDENCE, function: 'delete-evidence', auth: 'jwt' },
  { method: 'POST', path: ROLLUP, function: 'start-rollup', auth: 'jwt' },
  { method: 'GET', path: ROLLUP, function: 'get-rollup', auth: 'jwt' },
  { method: 'GET', path: `${ROLLUP}/files/{name}`, function: 'get-rollup', auth: 'jwt' },
  { method: 'POST', path: '/api/imports/narrative', function: 'import-narrative', auth: 'jwt' },
];
