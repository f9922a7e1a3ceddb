/** DynamoDbSubmissionStore.listHeads: the Query it sends, and the heads it makes of the answer. */
import type { QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from '@jest/globals';
import { SubmissionHead } from '../../domain/submissions/model.js';
import type { DocumentClient } from './client.js';
import { DynamoDbSubmissionStore } from './submission-store.js';

const head: SubmissionHead = {
  libraryId: '140429',
  formId: 'county-annual-report',
  period: '2024',
  formVersion: '2026.1',
  status: 'accepted',
  revision: 3,
  values: { holdingsTotal: 120000, visits: 70000, problemDetails: '馆舍狭小' },
  explanations: {},
  createdAt: '2025-01-01T00:00:00.000Z',
  updatedAt: '2025-02-01T00:00:00.000Z',
  submittedAt: '2025-01-20T00:00:00.000Z',
  acceptedAt: '2025-02-01T00:00:00.000Z',
  updatedBy: { subject: 'province-1', role: 'province' },
};

/** A document client whose Query answers the given items, recording its inputs. */
const clientAnswering = (items: Record<string, unknown>[]) => {
  const inputs: QueryCommandInput[] = [];
  const client = {
    send: async (_operation: 'Query', input: QueryCommandInput) => {
      inputs.push(input);
      return { Items: items };
    },
  };
  return { client: client as unknown as DocumentClient, inputs };
};

/** The attribute paths of a projection, with the names substituted. */
const projectedPaths = (input: QueryCommandInput | undefined): string[] =>
  (input?.ProjectionExpression ?? '').split(', ').map((path) =>
    path
      .split('.')
      .map((name) => input?.ExpressionAttributeNames?.[name] ?? name)
      .join('.'),
  );

describe('DynamoDbSubmissionStore.listHeads', () => {
  it('reads whole heads through the period index', async () => {
    const { client, inputs } = clientAnswering([{ PK: 'LIB#140429', entity: 'head', ...head }]);
    const page = await new DynamoDbSubmissionStore(client, 'table').listHeads(
      'county-annual-report',
      '2024',
      { limit: 100 },
    );
    expect(inputs[0]).toMatchObject({
      TableName: 'table',
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk',
      ExpressionAttributeValues: { ':pk': 'FORM#county-annual-report#2024' },
      Limit: 100,
    });
    expect(inputs[0]?.ProjectionExpression).toBeUndefined();
    expect(page).toEqual({ items: [head] });
  });

  it('asks only for the given values, and every other attribute of a head', async () => {
    const { client, inputs } = clientAnswering([
      { ...head, values: { holdingsTotal: 120000 } },
      // None of the values asked for: DynamoDB leaves `values` out.
      { ...head, libraryId: '140430', values: undefined },
    ]);
    const page = await new DynamoDbSubmissionStore(client, 'table').listHeads(
      'county-annual-report',
      '2024',
      { limit: 100 },
      { valueKeys: ['holdingsTotal', 'fundingTotal'] },
    );
    const paths = projectedPaths(inputs[0]);
    expect(paths.sort()).toEqual(
      [
        ...Object.keys(SubmissionHead.shape).filter((key) => key !== 'values'),
        'values.holdingsTotal',
        'values.fundingTotal',
      ].sort(),
    );
    expect(page.items).toEqual([
      { ...head, values: { holdingsTotal: 120000 } },
      { ...head, libraryId: '140430', values: {} },
    ]);
  });

  it('names only what the projection uses when no value is asked for', async () => {
    const { client, inputs } = clientAnswering([{ ...head, values: undefined }]);
    const page = await new DynamoDbSubmissionStore(client, 'table').listHeads(
      'county-annual-report',
      '2024',
      { limit: 100 },
      { valueKeys: [] },
    );
    expect(projectedPaths(inputs[0]).sort()).toEqual(
      Object.keys(SubmissionHead.shape)
        .filter((key) => key !== 'values')
        .sort(),
    );
    expect(Object.keys(inputs[0]?.ExpressionAttributeNames ?? {})).toHaveLength(
      projectedPaths(inputs[0]).length,
    );
    expect(page.items).toEqual([{ ...head, values: {} }]);
  });

  it.each([
    [{ before: '140429' }, 'GSI1PK = :pk AND GSI1SK < :bound'],
    [{ from: '140429' }, 'GSI1PK = :pk AND GSI1SK >= :bound'],
  ])('reads only the libraries asked for: %j', async (narrow, condition) => {
    const { client, inputs } = clientAnswering([head]);
    await new DynamoDbSubmissionStore(client, 'table').listHeads(
      'county-annual-report',
      '2024',
      { limit: 100 },
      narrow,
    );
    expect(inputs[0]).toMatchObject({
      IndexName: 'GSI1',
      KeyConditionExpression: condition,
      ExpressionAttributeValues: {
        ':pk': 'FORM#county-annual-report#2024',
        ':bound': 'LIB#140429',
      },
    });
    expect(inputs[0]?.ProjectionExpression).toBeUndefined();
  });

  it('still validates each head it returns', async () => {
    const { client } = clientAnswering([{ ...head, status: 'lost' }]);
    await expect(
      new DynamoDbSubmissionStore(client, 'table').listHeads(
        'county-annual-report',
        '2024',
        { limit: 100 },
        { valueKeys: ['holdingsTotal'] },
      ),
    ).rejects.toMatchObject({
      name: '$ZodError',
      issues: [expect.objectContaining({ path: ['status'] })],
    });
  });
});
