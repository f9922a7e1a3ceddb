import { existsSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where test/integration/reliability-figures.ts leaves each suite's figures. */
const FIGURES_DIR = fileURLToPath(new URL('../test-results/reliability/', import.meta.url));

const figuresTable = () => {
  if (!existsSync(FIGURES_DIR)) return '';
  const rows = readdirSync(FIGURES_DIR)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => JSON.parse(readFileSync(join(FIGURES_DIR, file), 'utf8')));
  if (rows.length === 0) return '';
  const total = (key) => rows.reduce((sum, row) => sum + (row[key] ?? 0), 0);
  /** A figure a suite did not measure (no leaks checked) is a dash, not a 0. */
  const figure = (value) => (value === undefined ? '—' : String(value));
  const lines = rows.map(
    (row) =>
      `  ${row.suite.padEnd(48)} ${String(row.requests).padStart(7)} ${String(row.unexpectedServerErrors).padStart(5)} ${String(row.lostWrites).padStart(5)} ${figure(row.leaks).padStart(5)}`,
  );
  return [
    '',
    'Reliability figures',
    `  ${'suite'.padEnd(48)} ${'requests'.padStart(7)} ${'5xx'.padStart(5)} ${'lost'.padStart(5)} ${'leaks'.padStart(5)}`,
    ...lines,
    `  ${'total'.padEnd(48)} ${String(total('requests')).padStart(7)} ${String(total('unexpectedServerErrors')).padStart(5)} ${String(total('lostWrites')).padStart(5)} ${String(total('leaks')).padStart(5)}`,
    '',
  ].join('\n');
};

/**
 * Ends a jest run with the reliability suites' figures, if any ran, and then one plain line,
 * `jest: N passed, N failed, N skipped`, which CI tooling reads as the run's result. Written at
 * process exit so it comes after jest's own summary.
 */
export default class SummaryReporter {
  onRunStart() {
    rmSync(FIGURES_DIR, { recursive: true, force: true });
  }

  onRunComplete(_contexts, results) {
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const skipped = results.numPendingTests + results.numTodoTests;
    const line = `jest: ${results.numPassedTests} passed, ${failed} failed, ${skipped} skipped\n`;
    const figures = figuresTable();
    process.once('exit', () => writeSync(1, `${figures}\n${line}`));
  }
}
