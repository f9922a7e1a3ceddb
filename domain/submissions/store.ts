import { BadRequestError } from '../errors.js';
import type { SubmissionHead, SubmissionKey, SubmissionRevision } from './model.js';

export interface Page<Item> {
  items: Item[];
  /** Opaque; pass back to get the next page. Absent on the last page. */
  nextCursor?: string;
}

export interface PageRequest {
  limit: number;
  cursor?: string;
}

/** Thrown by a store when the head moved since the expected revision. */
export class RevisionConflictError extends Error {
  constructor(
    readonly key: SubmissionKey,
    readonly expectedRevision: number,
    options?: { cause?: unknown },
  ) {
    super(
      `Submission ${key.libraryId}/${key.formId}/${key.period} is not at revision ${expectedRevision}`,
      options,
    );
    this.name = 'RevisionConflictError';
  }
}

/** Thrown by a store when a pagination cursor was not one it issued for this query. */
export class InvalidCursorError extends BadRequestError {
  constructor(options?: { cause?: unknown }) {
    super(
      {
        zh: '分页参数 cursor 无效，请从第一页重新开始。',
        en: 'Invalid cursor; start again from the first page.',
      },
      {
        ...options,
        errors: [
          { path: 'cursor', code: 'invalid_cursor', message: { zh: '无效', en: 'invalid' } },
        ],
      },
    );
  }
}

/** Port: where submissions live. */
export interface SubmissionStore {
  getHead(key: SubmissionKey): Promise<SubmissionHead | undefined>;
  /** Several heads in one round trip (at most 100), in the order of `keys`; consistent reads. */
  getHeads(keys: readonly SubmissionKey[]): Promise<(SubmissionHead | undefined)[]>;
  /**
   * Writes the new head and its revision atomically, only if the stored head is still at
   * `expectedRevision` (0: does not exist yet); else throws RevisionConflictError.
   */
  commit(
    head: SubmissionHead,
    revision: SubmissionRevision,
    expectedRevision: number,
  ): Promise<void>;
  listRevisions(key: SubmissionKey, page: PageRequest): Promise<Page<SubmissionRevision>>;
  getRevision(key: SubmissionKey, revision: number): Promise<SubmissionRevision | undefined>;
  /** Every head of a form and period, ordered by library; `narrow` may leave some out. */
  listHeads(
    formId: string,
    period: string,
    page: PageRequest,
    narrow?: HeadListing,
  ): Promise<Page<SubmissionHead>>;
}

/**
 * What a reader of many heads may ask a listing to leave out: the rollup reads the previous
 * period for a few values, and reads a period in parts at once. A store may return more than
 * asked (every value, every library): the reader takes what it asked for.
 */
export interface HeadListing {
  /** Of a head's `values`, only these keys. */
  valueKeys?: readonly string[];
  /** Only libraries whose id sorts before this one. */
  before?: string;
  /** Only libraries whose id is this one or sorts after it. */
  from?: string;
}
