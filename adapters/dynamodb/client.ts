import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * One client per execution environment. The endpoint comes from the SDK's own
 * AWS_ENDPOINT_URL_DYNAMODB, so the local stack needs no code path of its own.
 *
 * Short timeouts turn a dead or hung table into a quick 503 instead of a hung request: an API
 * function has 10 s, and 3 attempts of at most 2.5 s each (plus sub-second backoff) end well
 * before that, so the caller gets a problem+json 503 rather than a Lambda timeout (a bare
 * 500). `throwOnRequestTimeout` is what makes `requestTimeout` abort an attempt; without it
 * the SDK only logs a warning and waits for DynamoDB's 300 s socket timeout. A save retried
 * after a timeout cannot apply twice: TransactWriteItems carries one ClientRequestToken across
 * the SDK's retries. Whatever else talks to the table from an API function (Powertools
 * idempotency's persistence layer takes a DynamoDBClient) should use this client too.
 */
export const dynamoDbClient = new DynamoDBClient({
  maxAttempts: 3,
  requestHandler: {
    connectionTimeout: 1_000,
    requestTimeout: 2_500,
    throwOnRequestTimeout: true,
  },
});

/** The same client, reading and writing items as plain objects: what the stores use. */
export const documentClient = DynamoDBDocumentClient.from(dynamoDbClient, {
  marshallOptions: { removeUndefinedValues: true },
});

/**
 * For long batch work (the rollup): more attempts with adaptive backoff, which also slows the
 * client down while DynamoDB throttles, and timeouts for large pages rather than API latency,
 * which still end a hung call well within the worker's 300 s.
 */
export const createBatchDocumentClient = () =>
  DynamoDBDocumentClient.from(
    new DynamoDBClient({
      maxAttempts: 8,
      retryMode: 'adaptive',
      requestHandler: {
        connectionTimeout: 2_000,
        requestTimeout: 15_000,
        throwOnRequestTimeout: true,
      },
    }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
