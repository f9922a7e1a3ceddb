/** How the stores send TransactWriteItems and read a cancelled one. */
import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { storageUnavailable, withStorageErrors } from '../storage-errors.js';
import type { DocumentClient } from './client.js';

/** Retries of a transaction cancelled by a concurrent one, after the first attempt. */
export const CONFLICT_RETRIES = 3;
const CONFLICT_BACKOFF_MS = 25;
/** Reason codes of an item that was throttled inside a transaction: retryable, nothing written. */
const THROTTLED_CODES = new Set(['ThrottlingError', 'ProvisionedThroughputExceeded']);

/** "Full jitter": a random wait of up to 25, 50, 100 … ms, so racing writers spread out. */
const conflictBackoff = (attempt: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * CONFLICT_BACKOFF_MS * 2 ** attempt));

/**
 * The cancellation reason codes of a cancelled transaction, one per item (`None` for an item
 * that was fine), or undefined for any other error. Duck-typed, like storage-errors.ts: the
 * error may come from another realm.
 */
const cancellationCodes = (error: unknown): string[] | undefined => {
  const { name, CancellationReasons } = (error ?? {}) as {
    name?: unknown;
    CancellationReasons?: { Code?: string }[];
  };
  if (name !== 'TransactionCanceledException') return undefined;
  return (CancellationReasons ?? []).flatMap((reason) => (reason.Code ? [reason.Code] : []));
};

/** Whether a transaction was cancelled because a condition of one of its items failed. */
export const cancelledByCondition = (error: unknown): boolean =>
  cancellationCodes(error)?.includes('ConditionalCheckFailed') ?? false;

/**
 * Sends one transaction. Cancelled by a concurrent transaction, it is sent again with backoff
 * (it wrote nothing); cancelled by a condition the caller cares about (`lostRace` of the
 * reason codes), or still by conflicts after the retries, it fails with the caller's
 * `raceError`; throttled inside it, with a retryable 503.
 */
export const sendTransaction = async (
  client: DocumentClient,
  input: TransactWriteCommandInput,
  raceError: (cause: unknown) => Error,
  lostRace: (codes: string[]) => boolean = (codes) => codes.includes('ConditionalCheckFailed'),
): Promise<void> => {
  for (let attempt = 0; ; attempt += 1) {
    try {
      await withStorageErrors(() => client.send('TransactWriteItems', input));
      return;
    } catch (error) {
      const codes = cancellationCodes(error);
      if (codes === undefined) throw error;
      if (lostRace(codes)) throw raceError(error);
      if (codes.includes('TransactionConflict')) {
        if (attempt < CONFLICT_RETRIES) {
          await conflictBackoff(attempt);
          continue;
        }
        throw raceError(error);
      }
      if (codes.some((code) => THROTTLED_CODES.has(code))) throw storageUnavailable(error);
      throw error;
    }
  }
};
