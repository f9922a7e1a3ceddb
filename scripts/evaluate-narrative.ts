/**
 * Evaluates the narrative import on real work summaries: every `*.txt` under ../shared/seeds
 * (or `--seeds DIR`) goes through the same code as `POST /api/imports/narrative`, and its
 * suggestions are compared with the hand-labelled figures in reference/narrative/expected/
 * <seed name>.json. Prints precision and recall per seed and in total; exits 1 when
 * precision < 0.95 or recall < 0.8, 0 (with a message) when there are no seeds to read.
 *
 *   npm run narrative:eval [-- --seeds DIR] [--verbose]
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { formRegistry } from '../adapters/form-catalog.js';
import { importNarrative } from '../domain/narrative/form.js';
import {
  addScores,
  precisionOf,
  recallOf,
  type Score,
  scoreValues,
} from '../domain/narrative/score.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const EXPECTED_DIR = join(ROOT, 'reference', 'narrative', 'expected');
const FORM_ID = 'county-annual-report';
export const PRECISION_GOAL = 0.95;
export const RECALL_GOAL = 0.8;

const Labels = z.strictObject({ values: z.record(z.string(), z.unknown()) });

const argument = (name: string) => {
  const index = process.argv.indexOf(name);
  return index === -1 ? undefined : process.argv[index + 1];
};

const percent = (value: number | undefined) =>
  value === undefined ? '   n/a' : `${(value * 100).toFixed(1).padStart(5)}%`;

const main = () => {
  const seedsDir = resolve(argument('--seeds') ?? join(ROOT, '..', 'shared', 'seeds'));
  const verbose = process.argv.includes('--verbose');
  if (!existsSync(seedsDir)) {
    console.log(`No seeds at ${seedsDir}: nothing to evaluate (pass --seeds DIR).`);
    return 0;
  }
  const form = formRegistry.get(FORM_ID);
  if (!form) throw new Error(`The catalog has no form ${FORM_ID}; run npm run forms -- build`);
  const seeds = readdirSync(seedsDir)
    .filter((name) => name.endsWith('.txt'))
    .sort();
  if (seeds.length === 0) {
    console.log(`No *.txt seeds in ${seedsDir}: nothing to evaluate.`);
    return 0;
  }
  const scores: Score[] = [];
  console.log('seed                              TP  FP  FN  precision  recall');
  for (const seed of seeds) {
    const labelsFile = join(EXPECTED_DIR, `${basename(seed, '.txt')}.json`);
    if (!existsSync(labelsFile)) {
      console.log(`${seed.padEnd(32)}  (no labels in reference/narrative/expected: skipped)`);
      continue;
    }
    const labels = Labels.parse(JSON.parse(readFileSync(labelsFile, 'utf8')));
    const text = readFileSync(join(seedsDir, seed), 'utf8');
    const result = importNarrative(form, text);
    const score = scoreValues(labels.values, result.values);
    scores.push(score);
    console.log(
      `${seed.padEnd(32)}${String(score.truePositives).padStart(4)}${String(score.falsePositives).padStart(4)}${String(score.falseNegatives).padStart(4)}     ${percent(precisionOf(score))}  ${percent(recallOf(score))}`,
    );
    for (const mistake of score.mistakes) console.log(`    ${mistake}`);
    if (verbose) {
      for (const item of result.unmapped) {
        console.log(
          `    unmapped ${item.text} (${item.reason}${item.field ? ` ${item.field}` : ''})`,
        );
      }
    }
  }
  const total = addScores(scores);
  const precision = precisionOf(total);
  const recall = recallOf(total);
  console.log(
    `${'total'.padEnd(32)}${String(total.truePositives).padStart(4)}${String(total.falsePositives).padStart(4)}${String(total.falseNegatives).padStart(4)}     ${percent(precision)}  ${percent(recall)}`,
  );
  const ok = (precision ?? 1) >= PRECISION_GOAL && (recall ?? 1) >= RECALL_GOAL;
  console.log(
    ok
      ? `Goals met: precision ≥ ${PRECISION_GOAL}, recall ≥ ${RECALL_GOAL}.`
      : `Below the goals: precision ≥ ${PRECISION_GOAL}, recall ≥ ${RECALL_GOAL}.`,
  );
  return ok ? 0 : 1;
};

process.exitCode = main();
