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
