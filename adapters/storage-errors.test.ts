import { describe, expect, it } from '@jest/globals';
import { DependencyUnavailableError } from '../domain/errors.js';
import { isThrottled, withStorageErrors } from './storage-errors.js';

// What the SDK rejects with when DynamoDB is down or busy (seen from plain Node; inside jest's
// VM realms the SDK wraps network errors differently, so they are built here).
const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), {
  code: 'ECONNREFUSED',
  $metadata: { attempts: 3 },
});
// What @smithy/node-http-handler rejects with when an attempt outlives requestTimeout
// (throwOnRequestTimeout) or a connection is cut under a request.
const timedOut = Object.assign(
  new Error('a request has exceeded the configured 2500 ms requestTimeout.'),
  { name: 'TimeoutError', code: 'ETIMEDOUT', $metadata: { attempts: 3 } },
);
const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
const throttled = Object.assign(new Error('slow down'), { name: 'ThrottlingException' });
const serverError = Object.assign(new Error('oops'), {
  name: 'InternalServerError',
  $metadata: { httpStatusCode: 500 },
});

describe('withStorageErrors', () => {
  it.each([
    ['a refused connection', refused],
    ['a timed-out request (a hung table or bucket)', timedOut],
    ['a connection reset under a request', reset],
    ['a network out of reach', Object.assign(new Error('connect'), { code: 'ENETUNREACH' })],
    [
      'a name lookup that failed for now',
      Object.assign(new Error('getaddrinfo EAI_AGAIN s3.cn-north-1.amazonaws.com.cn'), {
        code: 'EAI_AGAIN',
      }),
    ],
    ['throttling', throttled],
    ['a 5xx answer', serverError],
    [
      "Lambda's concurrency limit",
      Object.assign(new Error('limit'), { name: 'ConcurrentInvocationLimitExceededException' }),
    ],
    ['a 429 answer', Object.assign(new Error('busy'), { $metadata: { httpStatusCode: 429 } })],
  ])('turns %s into a retryable 503', async (_, failure) => {
    const call = withStorageErrors(() => Promise.reject(failure));
    await expect(call).rejects.toBeInstanceOf(DependencyUnavailableError);
    await expect(call).rejects.toMatchObject({ statusCode: 503, cause: failure });
  });

  it('leaves other errors alone', async () => {
    const validation = Object.assign(new Error('bad'), {
      name: 'ValidationException',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(withStorageErrors(() => Promise.reject(validation))).rejects.toBe(validation);
  });

  it('passes results through', async () => {
    await expect(withStorageErrors(() => Promise.resolve(42))).resolves.toBe(42);
  });
});

describe('isThrottled', () => {
  it('tells throttling (which backs off longer) from other passing failures', () => {
    const inProgress = Object.assign(new Error('in progress'), {
      name: 'TransactionInProgressException',
    });
    const busy = Object.assign(new Error('busy'), { $metadata: { httpStatusCode: 429 } });
    for (const failure of [throttled, inProgress, busy]) expect(isThrottled(failure)).toBe(true);
    for (const failure of [serverError, reset, timedOut, undefined]) {
      expect(isThrottled(failure)).toBe(false);
    }
  });
});
