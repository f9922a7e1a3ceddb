import { S3Client } from '@aws-sdk/client-s3';

/**
 * One S3 client per execution environment; the endpoint comes from AWS_ENDPOINT_URL_S3.
 * S3_FORCE_PATH_STYLE=true for emulators that cannot route bucket subdomains.
 *
 * The timeouts bound the wait for an answer's headers (a streamed body is not cut off): 3
 * attempts of at most 2.5 s end within an API function's 10 s, so an S3 outage is a 503
 * problem+json, not a Lambda timeout. `throwOnRequestTimeout` makes `requestTimeout` abort the
 * attempt instead of only logging a warning.
 */
export const s3Client = new S3Client({
  forcePathStyle: process.env.S3_FORCE_PATH_STYLE === 'true',
  maxAttempts: 3,
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_500, throwOnRequestTimeout: true },
});

/** For long batch work (the rollup's uploads): more attempts with adaptive backoff on 503 SlowDown. */
export const createBatchS3Client = () =>
  new S3Client({
    forcePathStyle: process.env.S3_FORCE_PATH_STYLE === 'true',
    maxAttempts: 8,
    retryMode: 'adaptive',
    requestHandler: {
      connectionTimeout: 2_000,
      requestTimeout: 30_000,
      throwOnRequestTimeout: true,
    },
  });
