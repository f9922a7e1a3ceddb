/** What the stores that write with TransactWriteItems share about cancelled transactions. */

/** Reason codes of an item that was throttled inside a transaction: retryable, nothing written. */
export const THROTTLED_CODES = new Set(['ThrottlingError', 'ProvisionedThroughputExceeded']);

const CONFLICT_BACKOFF_MS = 25;

/** "Full jitter": a random wait of up to 25, 50, 100 … ms, so racing writers spread out. */
export const conflictBackoff = (attempt: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * CONFLICT_BACKOFF_MS * 2 ** attempt));

/**
 * The cancellation reason codes of a cancelled transaction, one per item (`None` for an item
 * that was fine), or undefined for any other error. Duck-typed, like storage-errors.ts: the
 * error may come from another realm.
 */
export const cancellationCodes = (error: unknown): string[] | undefined => {
  const { name, CancellationReasons } = (error ?? {}) as {
    name?: unknown;
    CancellationReasons?: { Code?: string }[];
  };
  if (name !== 'TransactionCanceledException') return undefined;
  return (CancellationReasons ?? []).flatMap((reason) => (reason.Code ? [reason.Code] : []));
};
