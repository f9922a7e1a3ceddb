import { writeSync } from 'node:fs';

/**
 * Ends a jest run with one plain line, `jest: N passed, N failed, N skipped`, which CI tooling
 * reads as the run's result. Written at process exit so it comes after jest's own summary.
 */
export default class SummaryReporter {
  onRunComplete(_contexts, results) {
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const skipped = results.numPendingTests + results.numTodoTests;
    const line = `jest: ${results.numPassedTests} passed, ${failed} failed, ${skipped} skipped\n`;
    process.once('exit', () => writeSync(1, line));
  }
}
