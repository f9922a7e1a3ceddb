import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * One client per execution environment. The endpoint comes from the SDK's own
 * AWS_ENDPOINT_URL_DYNAMODB, so the local stack needs no code path of its own. Short timeouts
 * turn a dead dependency into a quick 503 instead of a hung request.
 */
export const documentClient = DynamoDBDocumentClient.from(
  new DynamoDBClient({
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 1_000, requestTimeout: 5_000 },
  }),
  { marshallOptions: { removeUndefinedValues: true } },
);

/**
 * For long batch work (the rollup): more attempts with adaptive backoff, which also slows the
 * client down while DynamoDB throttles, and timeouts for large pages rather than API latency.
 */
export const createBatchDocumentClient = () =>
  DynamoDBDocumentClient.from(
    new DynamoDBClient({
      maxAttempts: 8,
      retryMode: 'adaptive',
      requestHandler: { connectionTimeout: 2_000, requestTimeout: 15_000 },
    }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
