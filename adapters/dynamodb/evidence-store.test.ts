import { describe, expect, it } from '@jest/globals';
import { DependencyUnavailableError } from '../../domain/errors.js';
import { cancelled, clientAnswering } from '../../test/fixtures/dynamodb-client.js';
import { DynamoDbEvidenceStore } from './evidence-store.js';
import { CONFLICT_RETRIES } from './transactions.js';

const key = {
  libraryId: '140429',
  formId: 'county-annual-report',
  period: '2026',
  evidenceId: '0b9d7c1e-8f4a-4c55-9a1b-2d3e4f5a6b7c',
};

const verify = (answers: ReturnType<typeof clientAnswering>) =>
  new DynamoDbEvidenceStore(answers.client, 'table').transition(
    key,
    ['pending'],
    { status: 'verified' },
    ['draft', 'returned'],
  );

describe('DynamoDbEvidenceStore.transition while the report is in a status', () => {
  it('moves the item and checks the report head in one transaction', async () => {
    const answers = clientAnswering();
    expect(await verify(answers)).toBe(true);
    expect(answers.inputs).toEqual([
      {
        TransactItems: [
          {
            Update: expect.objectContaining({
              Key: { PK: 'LIB#140429', SK: `EVID#county-annual-report#2026#${key.evidenceId}` },
            }),
          },
          {
            ConditionCheck: {
              TableName: 'table',
              Key: { PK: 'LIB#140429', SK: 'HEAD#county-annual-report#2026' },
              ConditionExpression: '#status IN (:in0, :in1)',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':in0': 'draft', ':in1': 'returned' },
            },
          },
        ],
      },
    ]);
  });

  it.each([
    ['the item is no longer pending', ['ConditionalCheckFailed', 'None']],
    ['the report is no longer editable (or has no head)', ['None', 'ConditionalCheckFailed']],
  ])('answers false when %s', async (_, codes) => {
    expect(await verify(clientAnswering(cancelled(...codes)))).toBe(false);
  });

  it('sends again after a conflict with a concurrent save of the report', async () => {
    const answers = clientAnswering(cancelled('None', 'TransactionConflict'));
    expect(await verify(answers)).toBe(true);
    expect(answers.inputs).toHaveLength(2);
  });

  it('answers a retryable 503, not false, when the conflicts persist', async () => {
    const conflicts = Array.from({ length: CONFLICT_RETRIES + 1 }, () =>
      cancelled('None', 'TransactionConflict'),
    );
    await expect(verify(clientAnswering(...conflicts))).rejects.toBeInstanceOf(
      DependencyUnavailableError,
    );
  });
});
