import { S3Client } from '@aws-sdk/client-s3';

/**
 * One S3 client per execution environment; the endpoint comes from AWS_ENDPOINT_URL_S3.
 * S3_FORCE_PATH_STYLE=true for emulators that cannot route bucket subdomains.
 */
export const s3Client = new S3Client({
  forcePathStyle: process.env.S3_FORCE_PATH_STYLE === 'true',
  maxAttempts: 3,
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 10_000 },
});

/** For long batch work (the rollup's uploads): more attempts with adaptive backoff on 503 SlowDown. */
export const createBatchS3Client = () =>
  new S3Client({
    forcePathStyle: process.env.S3_FORCE_PATH_STYLE === 'true',
    maxAttempts: 8,
    retryMode: 'adaptive',
    requestHandler: { connectionTimeout: 2_000, requestTimeout: 30_000 },
  });
