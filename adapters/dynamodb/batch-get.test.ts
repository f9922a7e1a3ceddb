import type { BatchGetCommandInput } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from '@jest/globals';
import { DependencyUnavailableError } from '../../domain/errors.js';
import { batchGet, type ItemKey } from './batch-get.js';
import type { DocumentClient } from './client.js';

const TABLE = 'table';
const key = (n: number): ItemKey => ({ PK: `LIB#${n}`, SK: 'HEAD' });
const item = (n: number) => ({ ...key(n), value: n });

type Answer = { found: number[]; unprocessed?: number[] } | Error;

/** A document client answering BatchGetItem calls in turn; records what each asked for. */
const clientAnswering = (...answers: Answer[]) => {
  const requests: BatchGetCommandInput[] = [];
  const client = {
    send: async (_operation: 'BatchGetItem', input: BatchGetCommandInput) => {
      requests.push(structuredClone(input));
      const answer = answers[requests.length - 1] ?? { found: [] };
      if (answer instanceof Error) throw answer;
      return {
        Responses: { [TABLE]: answer.found.map(item) },
        ...(answer.unprocessed
          ? { UnprocessedKeys: { [TABLE]: { Keys: answer.unprocessed.map(key) } } }
          : {}),
      };
    },
  };
  return { client: client as unknown as DocumentClient, requests };
};

const askedFor = (request: BatchGetCommandInput | undefined) =>
  request?.RequestItems?.[TABLE]?.Keys?.map((asked) => asked.PK);

describe('batchGet', () => {
  it('answers in the order of the keys, undefined where there is no item, each key asked once', async () => {
    // DynamoDB returns items in any order.
    const { client, requests } = clientAnswering({ found: [3, 1] });
    const items = await batchGet(client, TABLE, [key(1), key(2), key(3), key(1)], {
      consistentRead: true,
    });
    expect(items).toEqual([item(1), undefined, item(3), item(1)]);
    expect(requests).toHaveLength(1);
    expect(askedFor(requests[0])).toEqual(['LIB#1', 'LIB#2', 'LIB#3']);
    expect(requests[0]?.RequestItems?.[TABLE]?.ConsistentRead).toBe(true);
  });

  it('asks again for the keys DynamoDB left unprocessed, and only those', async () => {
    const { client, requests } = clientAnswering(
      { found: [1], unprocessed: [2, 3] },
      { found: [3], unprocessed: [2] },
      { found: [2] },
    );
    const items = await batchGet(client, TABLE, [key(1), key(2), key(3)], {
      consistentRead: false,
    });
    expect(items).toEqual([item(1), item(2), item(3)]);
    expect(requests.map(askedFor)).toEqual([
      ['LIB#1', 'LIB#2', 'LIB#3'],
      ['LIB#2', 'LIB#3'],
      ['LIB#2'],
    ]);
  });

  it('gives up with a retryable 503 when keys stay unprocessed', async () => {
    const stuck = { found: [], unprocessed: [1] };
    const { client, requests } = clientAnswering(stuck, stuck, stuck, stuck, stuck, stuck);
    const error = await batchGet(client, TABLE, [key(1)], { consistentRead: true }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(DependencyUnavailableError);
    expect(requests).toHaveLength(5);
  });

  it('turns a storage outage into a retryable 503', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const { client } = clientAnswering(refused);
    await expect(
      batchGet(client, TABLE, [key(1)], { consistentRead: true }),
    ).rejects.toBeInstanceOf(DependencyUnavailableError);
  });

  it('refuses more keys than one BatchGetItem reads', async () => {
    const { client, requests } = clientAnswering();
    const keys = Array.from({ length: 101 }, (_, n) => key(n));
    await expect(batchGet(client, TABLE, keys, { consistentRead: true })).rejects.toThrow(
      'at most 100',
    );
    expect(requests).toHaveLength(0);
  });

  it('reads asked for in the same turn share one BatchGetItem, consistent if any asked', async () => {
    const { client, requests } = clientAnswering({ found: [1, 2, 3] });
    const [first, second] = await Promise.all([
      batchGet(client, TABLE, [key(2), key(1)], { consistentRead: true }),
      batchGet(client, TABLE, [key(3), key(1), key(4)], { consistentRead: false }),
    ]);
    expect(first).toEqual([item(2), item(1)]);
    expect(second).toEqual([item(3), item(1), undefined]);
    expect(requests).toHaveLength(1);
    expect(askedFor(requests[0])).toEqual(['LIB#2', 'LIB#1', 'LIB#3', 'LIB#4']);
    expect(requests[0]?.RequestItems?.[TABLE]?.ConsistentRead).toBe(true);
  });

  it('a failed shared read fails every reader of it', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const { client, requests } = clientAnswering(refused);
    const results = await Promise.allSettled([
      batchGet(client, TABLE, [key(1)], { consistentRead: true }),
      batchGet(client, TABLE, [key(2)], { consistentRead: true }),
    ]);
    expect(requests).toHaveLength(1);
    for (const result of results) {
      expect(result.status === 'rejected' && result.reason).toBeInstanceOf(
        DependencyUnavailableError,
      );
    }
  });

  it('reads in later turns, or beyond 100 keys together, get requests of their own', async () => {
    const { client, requests } = clientAnswering({ found: [1] }, { found: [2] }, { found: [] });
    await batchGet(client, TABLE, [key(1)], { consistentRead: false });
    const many = Array.from({ length: 100 }, (_, n) => key(1_000 + n));
    await Promise.all([
      batchGet(client, TABLE, [key(2)], { consistentRead: false }),
      batchGet(client, TABLE, many, { consistentRead: false }),
    ]);
    expect(requests.map((request) => askedFor(request)?.length)).toEqual([1, 1, 100]);
  });
});
