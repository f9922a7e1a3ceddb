import { describe, expect, it } from '@jest/globals';
import { DependencyUnavailableError } from '../../domain/errors.js';
import type { SubmissionHead, SubmissionRevision } from '../../domain/submissions/model.js';
import { RevisionConflictError } from '../../domain/submissions/store.js';
import { cancelled, clientAnswering } from '../../test/fixtures/dynamodb-client.js';
import type { DocumentClient } from './client.js';
import { DynamoDbSubmissionStore } from './submission-store.js';
import { CONFLICT_RETRIES } from './transactions.js';

const actor = { subject: 'user-1', role: 'library' as const, libraryId: '140429' };
const head: SubmissionHead = {
  libraryId: '140429',
  formId: 'county-annual-report',
  period: '2026',
  formVersion: '2026.1',
  status: 'draft',
  revision: 3,
  values: { visits: 1 },
  explanations: {},
  createdAt: '2026-11-01T00:00:00.000Z',
  updatedAt: '2026-11-02T00:00:00.000Z',
  updatedBy: actor,
};
const revision: SubmissionRevision = {
  libraryId: head.libraryId,
  formId: head.formId,
  period: head.period,
  revision: 3,
  action: 'save',
  status: 'draft',
  formVersion: head.formVersion,
  values: head.values,
  explanations: {},
  actor,
  at: head.updatedAt,
};

const commit = (client: DocumentClient) =>
  new DynamoDbSubmissionStore(client, 'table').commit(head, revision, 2);

describe('DynamoDbSubmissionStore.commit under transaction faults', () => {
  it('retries a transaction cancelled by a concurrent one (TransactionConflict)', async () => {
    const { client, inputs } = clientAnswering(
      cancelled('TransactionConflict', 'None'),
      cancelled('None', 'TransactionConflict'),
      'ok',
    );
    await expect(commit(client)).resolves.toBeUndefined();
    expect(inputs).toHaveLength(3);
    // Every attempt is the same conditional write: it can apply at most once.
    expect(inputs[2]).toEqual(inputs[0]);
    expect(inputs[0]).toMatchObject({
      TransactItems: [
        { Put: { ConditionExpression: '#revision = :expected' } },
        { Put: { ConditionExpression: 'attribute_not_exists(PK)' } },
      ],
    });
  });

  it('gives up after a few retries with a revision conflict (409), never a 500', async () => {
    const conflicts = Array.from({ length: CONFLICT_RETRIES + 1 }, () =>
      cancelled('TransactionConflict', 'None'),
    );
    const { client, inputs } = clientAnswering(...conflicts, 'ok');
    await expect(commit(client)).rejects.toBeInstanceOf(RevisionConflictError);
    expect(inputs).toHaveLength(CONFLICT_RETRIES + 1);
  });

  it('does not retry a failed condition: the head moved', async () => {
    const { client, inputs } = clientAnswering(cancelled('ConditionalCheckFailed', 'None'));
    await expect(commit(client)).rejects.toBeInstanceOf(RevisionConflictError);
    expect(inputs).toHaveLength(1);
  });

  it('a conflict retried into a failed condition is a revision conflict', async () => {
    const { client, inputs } = clientAnswering(
      cancelled('TransactionConflict', 'None'),
      cancelled('ConditionalCheckFailed', 'None'),
    );
    await expect(commit(client)).rejects.toBeInstanceOf(RevisionConflictError);
    expect(inputs).toHaveLength(2);
  });

  it('turns a throttled transaction into a retryable 503', async () => {
    const { client } = clientAnswering(cancelled('ThrottlingError', 'None'));
    await expect(commit(client)).rejects.toBeInstanceOf(DependencyUnavailableError);
  });

  it('leaves other cancellations alone', async () => {
    const validation = cancelled('ValidationError', 'None');
    const { client } = clientAnswering(validation);
    await expect(commit(client)).rejects.toBe(validation);
  });
});
