/**
 * `npm run bench -- --quick` (bench/index.ts) runs to its end on a fresh clone and prints what
 * docs/performance.md reads: a row for every function and, as its last line, the JSON of the
 * issue's figures. No timing is asserted (the machines are shared): only that each figure is
 * there and is a measurement. The benchmark starts its own DynamoDB Local, s3rver and API on
 * free ports, in temporary directories it removes.
 */
import { describe, expect, it } from '@jest/globals';
import { functions } from '../../functions/routes.js';
import { runToExit } from './global-setup.js';

const FIGURES = [
  'coldStartRatioMax',
  'coldStartRatioSdkFloor',
  'bundleKBMax',
  'apiSaveOverheadRatio',
  'rollupSeconds3300',
  'rollupPeakRssMB',
  'rollupOverReadRatio',
  'webFormKBGzip',
];

describe('npm run bench -- --quick', () => {
  it('prints a row for every function and, last, every figure as a positive number', async () => {
    const { code, stdout, stderr } = await runToExit('bench/index.ts', process.env, ['--quick']);
    expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });
    const lines = stdout.trimEnd().split('\n');
    for (const { entry } of functions) {
      expect(lines.some((line) => line.startsWith(`${entry} `))).toBe(true);
    }
    const figures: Record<string, unknown> = JSON.parse(lines.at(-1) ?? '');
    expect(Object.keys(figures).sort()).toEqual([...FIGURES].sort());
    for (const name of FIGURES) {
      const value = figures[name];
      expect(typeof value === 'number' && Number.isFinite(value) && value > 0 ? name : value).toBe(
        name,
      );
    }
  }, 600_000);
});
