import { describe, expect, it } from '@jest/globals';
import { DependencyUnavailableError } from '../domain/errors.js';
import { withStorageErrors } from './storage-errors.js';

// What the SDK rejects with when DynamoDB is down or busy (seen from plain Node; inside jest's
// VM realms the SDK wraps network errors differently, so they are built here).
const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), {
  code: 'ECONNREFUSED',
  $metadata: { attempts: 3 },
});
const throttled = Object.assign(new Error('slow down'), { name: 'ThrottlingException' });
const serverError = Object.assign(new Error('oops'), {
  name: 'InternalServerError',
  $metadata: { httpStatusCode: 500 },
});

describe('withStorageErrors', () => {
  it.each([
    ['a refused connection', refused],
    ['throttling', throttled],
    ['a 5xx answer', serverError],
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
