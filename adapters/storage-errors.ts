import { DependencyUnavailableError } from '../domain/errors.js';

const RETRYABLE_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  // A retried transaction (same ClientRequestToken) while its first attempt is still applying.
  'TransactionInProgressException',
  'TooManyRequestsException',
  'InternalServerError',
  'ServiceUnavailable',
  'TimeoutError',
  'RequestTimeout',
]);
/** Lost or refused connections, and a name lookup that failed for now (EAI_AGAIN). */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/**
 * Whether an AWS call failed for a while rather than for good: throttled (by name, a
 * `…LimitExceededException` such as Lambda's, or 429), a service error (5xx), a timeout or a
 * lost connection. Duck-typed rather than `instanceof Error`: network errors may come from
 * another realm.
 */
export const isUnavailable = (error: unknown): boolean => {
  if (typeof error !== 'object' || error === null) return false;
  const { name, code } = error as { name?: unknown; code?: unknown };
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return (
    (typeof name === 'string' &&
      (RETRYABLE_NAMES.has(name) || name.endsWith('LimitExceededException'))) ||
    (typeof code === 'string' && NETWORK_CODES.has(code)) ||
    (status !== undefined && (status === 429 || status >= 500))
  );
};

/** The retryable 503 a storage outage or throttling becomes. */
export const storageUnavailable = (cause: unknown) =>
  new DependencyUnavailableError(
    {
      zh: '数据服务暂时不可用，请稍后重试。',
      en: 'Storage is temporarily unavailable; retry later.',
    },
    { cause },
  );

/** Runs one storage call, turning "the database is down or throttling" into a retryable 503. */
export const withStorageErrors = async <T>(operation: () => Promise<T>): Promise<T> => {
  try {
    return await operation();
  } catch (error) {
    if (isUnavailable(error)) throw storageUnavailable(error);
    throw error;
  }
};
