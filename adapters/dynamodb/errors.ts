import { DependencyUnavailableError } from '../../domain/errors.js';

const RETRYABLE_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TimeoutError',
  'RequestTimeout',
]);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH']);

const isUnavailable = (error: unknown): boolean => {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return (
    RETRYABLE_NAMES.has(error.name) ||
    (typeof code === 'string' && NETWORK_CODES.has(code)) ||
    (status !== undefined && status >= 500)
  );
};

/** Runs one storage call, turning "the database is down or throttling" into a retryable 503. */
export const withStorageErrors = async <T>(operation: () => Promise<T>): Promise<T> => {
  try {
    return await operation();
  } catch (error) {
    if (isUnavailable(error)) {
      throw new DependencyUnavailableError(
        {
          zh: '数据服务暂时不可用，请稍后重试。',
          en: 'Storage is temporarily unavailable; retry later.',
        },
        { cause: error },
      );
    }
    throw error;
  }
};
