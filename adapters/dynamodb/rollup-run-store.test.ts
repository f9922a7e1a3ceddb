import { describe, expect, it } from '@jest/globals';
import { rollupRunKeys } from './keys.js';
import { createdAtOfRunId } from './rollup-run-store.js';

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
