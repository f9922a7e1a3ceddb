import { LambdaClient } from '@aws-sdk/client-lambda';

/**
 * One Lambda client per execution environment; the endpoint comes from the SDK's own
 * AWS_ENDPOINT_URL_LAMBDA (the local server answers the Invoke API). Adaptive retries back off
 * and rate-limit themselves when Lambda throttles (429 TooManyRequestsException); three
 * attempts of at most 2 s end within the calling API function's 10 s.
 */
export const lambdaClient = new LambdaClient({
  maxAttempts: 3,
  retryMode: 'adaptive',
  // Without throwOnRequestTimeout the SDK only warns and keeps waiting on a hung call.
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000, throwOnRequestTimeout: true },
});
