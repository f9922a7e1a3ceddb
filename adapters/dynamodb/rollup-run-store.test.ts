import { describe, expect, it } from '@jest/globals';
import { DependencyUnavailableError } from '../../domain/errors.js';
import type { RollupRun } from '../../domain/rollup/model.js';
import { dynamoDbError } from '../../test/fixtures/dynamodb-client.js';
import type { DocumentClient } from './client.js';
import { rollupRunKeys } from './keys.js';
import { createdAtOfRunId, DynamoDbRollupRunStore } from './rollup-run-store.js';

describe('rollup run keys', () => {
  it('reads the creation time back from a run id, so a run is one GetItem', () => {
    const createdAt = '2026-11-22T18:00:00.123Z';
    // The shape RollupService gives run ids: compact creation time, then 8 random hex digits.
    const runId = `${createdAt.replace(/[-:.]/g, '')}-1a2b3c4d`;
    expect(runId).toBe('20261122T180000123Z-1a2b3c4d');
    expect(createdAtOfRunId(runId)).toBe(createdAt);
    expect(
      rollupRunKeys({ formId: 'county-annual-report', period: '2026', createdAt, runId }),
    ).toEqual({
      PK: 'ROLLUP#county-annual-report#2026',
      SK: `RUN#${createdAt}#${runId}`,
    });
  });

  it('does not guess for an id of another shape', () => {
    expect(createdAtOfRunId('manual-run')).toBeUndefined();
    expect(createdAtOfRunId('20261122T180000Z-1a2b3c4d')).toBeUndefined();
  });

  it('sorts newer runs after older ones', () => {
    const key = (createdAt: string) =>
      rollupRunKeys({ formId: 'f', period: '2026', createdAt, runId: 'x' }).SK;
    expect(key('2026-11-22T18:00:00.000Z') < key('2026-11-23T18:00:00.000Z')).toBe(true);
  });
});

describe('DynamoDbRollupRunStore writes', () => {
  const run: RollupRun = {
    formId: 'county-annual-report',
    period: '2026',
    runId: '20261122T180000123Z-1a2b3c4d',
    status: 'running',
    trigger: 'manual',
    createdAt: '2026-11-22T18:00:00.123Z',
    startedAt: '2026-11-22T18:00:01.000Z',
    prefix: 'rollups/county-annual-report/2026/runs/20261122T180000123Z-1a2b3c4d',
    attempt: 2,
  };

  /** A document client that records each command's input and answers with `outcome`. */
  const clientAnswering = (outcome?: Error) => {
    const inputs: Record<string, unknown>[] = [];
    const client = {
      send: async (_operation: string, input: Record<string, unknown>) => {
        inputs.push(input);
        if (outcome) throw outcome;
        return {};
      },
    };
    return {
      store: new DynamoDbRollupRunStore(client as unknown as DocumentClient, 'table'),
      inputs,
    };
  };

  it('creates a run with a plain put', async () => {
    const { store, inputs } = clientAnswering();
    await store.put({ ...run, status: 'queued', attempt: undefined });
    expect(inputs).toHaveLength(1);
    expect(inputs[0]?.ConditionExpression).toBeUndefined();
  });

  it('replaces a run only over the status and attempt that were read', async () => {
    const { store, inputs } = clientAnswering();
    expect(await store.replace(run, { status: 'failed', attempt: 1 })).toBe(true);
    expect(inputs[0]).toMatchObject({
      TableName: 'table',
      Item: { PK: 'ROLLUP#county-annual-report#2026', entity: 'rollupRun', ...run },
      ConditionExpression: '#status = :status AND #attempt = :attempt',
      ExpressionAttributeNames: { '#status': 'status', '#attempt': 'attempt' },
      ExpressionAttributeValues: { ':status': 'failed', ':attempt': 1 },
    });
  });

  it('takes a run no worker took yet only while it has no attempt', async () => {
    const { store, inputs } = clientAnswering();
    await store.replace({ ...run, attempt: 1 }, { status: 'queued' });
    expect(inputs[0]).toMatchObject({
      ConditionExpression: '#status = :status AND attribute_not_exists(#attempt)',
      ExpressionAttributeValues: { ':status': 'queued' },
    });
    expect(inputs[0]?.ExpressionAttributeValues).not.toHaveProperty(':attempt');
  });

  it('answers false when another writer moved the run first', async () => {
    const { store } = clientAnswering(
      dynamoDbError({
        __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException',
        message: 'The conditional request failed',
      }),
    );
    expect(await store.replace(run, { status: 'failed', attempt: 1 })).toBe(false);
  });

  it('turns throttling into a retryable 503 rather than a lost race', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), {
      name: 'ThrottlingException',
    });
    const { store } = clientAnswering(throttled);
    await expect(store.replace(run, { status: 'failed', attempt: 1 })).rejects.toBeInstanceOf(
      DependencyUnavailableError,
    );
  });
});
