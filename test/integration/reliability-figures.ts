/**
 * The figures the reliability suites measure (requests tried, 5xx answers, lost writes, leaks),
 * one JSON file per suite under test-results/reliability/. The summary reporter prints them at
 * the end of the run; docs/reliability.md records the latest.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIGURES_DIR = fileURLToPath(
  new URL('../../test-results/reliability/', import.meta.url),
);

export interface ReliabilityFigures {
  /** What was exercised, e.g. "fuzzing: PUT submission". */
  suite: string;
  requests: number;
  /** Answers with a 5xx status that the suite did not provoke on purpose (503 under a fault is expected). */
  unexpectedServerErrors: number;
  /** Acknowledged writes missing or different afterwards. */
  lostWrites: number;
  /**
   * Bodies that contained another library's data; absent where the suite does not look (each
   * caller reads only its own library there), printed as "—" rather than a 0 nobody measured.
   */
  leaks?: number;
}

export const recordFigures = (figures: ReliabilityFigures) => {
  mkdirSync(FIGURES_DIR, { recursive: true });
  const file = `${figures.suite
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase()}.json`;
  writeFileSync(join(FIGURES_DIR, file), JSON.stringify(figures));
};
