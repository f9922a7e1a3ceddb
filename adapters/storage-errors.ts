import { DependencyUnavailableError } from '../domain/errors.js';

const THROTTLING_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  // A retried transaction (same ClientRequestToken) while its first attempt is still applying.
  'TransactionInProgressException',
  'TooManyRequestsException',
  'SlowDown',
]);
const TRANSIENT_NAMES = new Set([
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

const statusOf = (error: object) =>
  (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

/**
 * Whether an AWS call was throttled: by name (a `…LimitExceededException` such as Lambda's
 * too) or by a 429. Duck-typed rather than `instanceof Error`, as below.
 */
export const isThrottled = (error: unknown): boolean => {
  if (typeof error !== 'object' || error === null) return false;
  const { name } = error as { name?: unknown };
  return (
    (typeof name === 'string' &&
      (THROTTLING_NAMES.has(name) || name.endsWith('LimitExceededException'))) ||
    statusOf(error) === 429
  );
};

/**
 * Whether an AWS call failed for a while rather than for good: throttled, a service error
 * (5xx), a timeout or a lost connection. Duck-typed rather than `instanceof Error`: network
 * errors may come from another realm.
 */
export const isUnavailable = (error: unknown): boolean => {
  if (typeof error !== 'object' || error === null) return false;
  const { name, code } = error as { name?: unknown; code?: unknown };
  const status = statusOf(error);
  return (
    isThrottled(error) ||
    (typeof name === 'string' && TRANSIENT_NAMES.has(name)) ||
    (typeof code === 'string' && NETWORK_CODES.has(code)) ||
    (status !== undefined && status >= 500)
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
