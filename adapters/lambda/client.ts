import { LambdaClient } from '@aws-sdk/client-lambda';

/**
 * One Lambda client per execution environment; the endpoint comes from the SDK's own
 * AWS_ENDPOINT_URL_LAMBDA (the local server answers the Invoke API). Adaptive retries back off
 * and rate-limit themselves when Lambda throttles (429 TooManyRequestsException).
 */
export const lambdaClient = new LambdaClient({
  maxAttempts: 5,
  retryMode: 'adaptive',
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 5_000 },
});
