/**
 * In-memory implementations of the SubmissionStore and PeriodStore ports, for unit tests and
 * anything else that wants the domain without DynamoDB. They keep the adapter's contract, not
 * just its shape: a commit checks `expectedRevision` and writes head and revision together or
 * not at all, revisions are never overwritten, stored items are copies (a caller mutating what
 * it passed in or got back changes nothing stored), lists come in the adapter's order and pages
 * carry an opaque cursor that only the query which issued it accepts.
 */
import { LockException, type PeriodStore, StoredWindow } from '../periods/window.js';
import {
  SubmissionHead,
  type SubmissionKey,
  SubmissionRevision,
  submissionKeyText,
} from './model.js';
import {
  InvalidCursorError,
  type Page,
  type PageRequest,
  RevisionConflictError,
  type SubmissionStore,
} from './store.js';

/** What a cursor holds: the query it belongs to and the sort key of the last item returned. */
interface CursorPayload {
  query: string;
  after: string | number;
}

const encodeCursor = (payload: CursorPayload): string =>
  Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');

const decodeCursor = (cursor: string | undefined, query: string): CursorPayload | undefined => {
  if (cursor === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch (cause) {
    throw new InvalidCursorError({ cause });
  }
  if (
    typeof parsed === 'object' &&
    parsed !== null &&
    'query' in parsed &&
    'after' in parsed &&
    parsed.query === query &&
    (typeof parsed.after === 'string' || typeof parsed.after === 'number')
  ) {
    return { query: parsed.query, after: parsed.after };
  }
  throw new InvalidCursorError();
};

const assertLimit = (limit: number) => {
  // DynamoDB rejects a Limit below 1 the same way: a programming error, not a caller's.
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`Invalid page limit ${limit}`);
};

/** One page of `sorted` after the cursor position, with a cursor only when more follow. */
const pageOf = <Item, Position extends string | number>(
  sorted: readonly Item[],
  positionOf: (item: Item) => Position,
  isAfter: (item: Item, position: Position) => boolean,
  query: string,
  page: PageRequest,
  position: Position | undefined,
): Page<Item> => {
  assertLimit(page.limit);
  const rest = position === undefined ? sorted : sorted.filter((item) => isAfter(item, position));
  const items = rest.slice(0, page.limit);
  const last = items.at(-1);
  return rest.length > page.limit && last !== undefined
    ? { items, nextCursor: encodeCursor({ query, after: positionOf(last) }) }
    : { items };
};

export class InMemorySubmissionStore implements SubmissionStore {
  private readonly heads = new Map<string, SubmissionHead>();
  private readonly revisions = new Map<string, Map<number, SubmissionRevision>>();

  async getHead(key: SubmissionKey): Promise<SubmissionHead | undefined> {
    const head = this.heads.get(submissionKeyText(key));
    return head ? SubmissionHead.parse(structuredClone(head)) : undefined;
  }

  async getHeads(keys: readonly SubmissionKey[]): Promise<(SubmissionHead | undefined)[]> {
    return Promise.all(keys.map((key) => this.getHead(key)));
  }

  async commit(
    head: SubmissionHead,
    revision: SubmissionRevision,
    expectedRevision: number,
  ): Promise<void> {
    const keyText = submissionKeyText(head);
    if (submissionKeyText(revision) !== keyText) {
      throw new Error(`Revision ${submissionKeyText(revision)} does not belong to head ${keyText}`);
    }
    // Validate everything before writing anything: the commit is all or nothing.
    const storedHead = SubmissionHead.parse(structuredClone(head));
    const storedRevision = SubmissionRevision.parse(structuredClone(revision));
    const current = this.heads.get(keyText);
    const headMatches =
      expectedRevision === 0 ? current === undefined : current?.revision === expectedRevision;
    const revisions = this.revisions.get(keyText) ?? new Map<number, SubmissionRevision>();
    // Revisions are immutable: an existing one is never overwritten.
    if (!headMatches || revisions.has(storedRevision.revision)) {
      throw new RevisionConflictError(head, expectedRevision);
    }
    revisions.set(storedRevision.revision, storedRevision);
    this.revisions.set(keyText, revisions);
    this.heads.set(keyText, storedHead);
  }

  async listRevisions(key: SubmissionKey, page: PageRequest): Promise<Page<SubmissionRevision>> {
    const query = `revisions:${submissionKeyText(key)}`;
    const cursor = decodeCursor(page.cursor, query);
    if (cursor !== undefined && (typeof cursor.after !== 'number' || cursor.after < 1)) {
      throw new InvalidCursorError();
    }
    const newestFirst = [...(this.revisions.get(submissionKeyText(key))?.values() ?? [])]
      .sort((a, b) => b.revision - a.revision)
      .map((revision) => SubmissionRevision.parse(structuredClone(revision)));
    return pageOf(
      newestFirst,
      (revision) => revision.revision,
      (revision, before: number) => revision.revision < before,
      query,
      page,
      typeof cursor?.after === 'number' ? cursor.after : undefined,
    );
  }

  async getRevision(key: SubmissionKey, revision: number): Promise<SubmissionRevision | undefined> {
    const found = this.revisions.get(submissionKeyText(key))?.get(revision);
    return found ? SubmissionRevision.parse(structuredClone(found)) : undefined;
  }

  async listHeads(
    formId: string,
    period: string,
    page: PageRequest,
  ): Promise<Page<SubmissionHead>> {
    const query = `heads:${formId}/${period}`;
    const cursor = decodeCursor(page.cursor, query);
    if (cursor !== undefined && typeof cursor.after !== 'string') throw new InvalidCursorError();
    const byLibrary = [...this.heads.values()]
      .filter((head) => head.formId === formId && head.period === period)
      .sort((a, b) => (a.libraryId < b.libraryId ? -1 : a.libraryId > b.libraryId ? 1 : 0))
      .map((head) => SubmissionHead.parse(structuredClone(head)));
    return pageOf(
      byLibrary,
      (head) => head.libraryId,
      (head, after: string) => head.libraryId > after,
      query,
      page,
      typeof cursor?.after === 'string' ? cursor.after : undefined,
    );
  }
}

const periodKey = (formId: string, period: string) => `${formId}/${period}`;

export class InMemoryPeriodStore implements PeriodStore {
  private readonly windows = new Map<string, StoredWindow>();
  /** By period, then by library: one exception per library, a new grant replaces the old. */
  private readonly exceptions = new Map<string, Map<string, LockException>>();

  async getWindow(formId: string, period: string): Promise<StoredWindow | undefined> {
    const window = this.windows.get(periodKey(formId, period));
    return window ? StoredWindow.parse(structuredClone(window)) : undefined;
  }

  async putWindow(formId: string, period: string, window: StoredWindow): Promise<void> {
    this.windows.set(periodKey(formId, period), StoredWindow.parse(structuredClone(window)));
  }

  /** Ordered by library, as the table's sort key orders them. */
  async listExceptions(formId: string, period: string): Promise<LockException[]> {
    return [...(this.exceptions.get(periodKey(formId, period))?.values() ?? [])]
      .sort((a, b) => (a.libraryId < b.libraryId ? -1 : a.libraryId > b.libraryId ? 1 : 0))
      .map((exception) => LockException.parse(structuredClone(exception)));
  }

  async getWindowAndException(
    formId: string,
    period: string,
    libraryId: string,
  ): Promise<{ window?: StoredWindow; exception?: LockException }> {
    const [window, exception] = await Promise.all([
      this.getWindow(formId, period),
      this.listExceptions(formId, period).then((all) =>
        all.find((candidate) => candidate.libraryId === libraryId),
      ),
    ]);
    return { ...(window ? { window } : {}), ...(exception ? { exception } : {}) };
  }

  async putException(formId: string, period: string, exception: LockException): Promise<void> {
    const key = periodKey(formId, period);
    const byLibrary = this.exceptions.get(key) ?? new Map<string, LockException>();
    byLibrary.set(exception.libraryId, LockException.parse(structuredClone(exception)));
    this.exceptions.set(key, byLibrary);
  }
}
