import { InvalidCursorError } from '../../domain/submissions/store.js';

type Key = Record<string, string>;

/** LastEvaluatedKey as an opaque URL-safe cursor. */
export const encodeCursor = (key: Record<string, unknown> | undefined): string | undefined =>
  key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined;

/**
 * Reads a cursor back, accepting only string keys whose partition attribute equals the query's
 * own partition: a tampered cursor can never reach another partition.
 */
export const decodeCursor = (
  cursor: string | undefined,
  partitionAttribute: string,
  partition: string,
): Key | undefined => {
  if (cursor === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      typeof parsed === 'object' &&
      parsed !== null &&
      !Array.isArray(parsed) &&
      Object.values(parsed).every((value) => typeof value === 'string') &&
      (parsed as Key)[partitionAttribute] === partition
    ) {
      return parsed as Key;
    }
  } catch (cause) {
    throw new InvalidCursorError({ cause });
  }
  throw new InvalidCursorError();
};

/**
 * Runs a paginated query; DynamoDB answers a start key that does not fit the query (other or
 * missing key attributes, a sort key outside the key condition) with a ValidationException,
 * which for a caller-supplied cursor means the cursor was tampered with: 400, not 500.
 */
export const withCursor = async <T>(
  cursor: string | undefined,
  query: () => Promise<T>,
): Promise<T> => {
  try {
    return await query();
  } catch (error) {
    if (cursor !== undefined && error instanceof Error && error.name === 'ValidationException') {
      throw new InvalidCursorError({ cause: error });
    }
    throw error;
  }
};
