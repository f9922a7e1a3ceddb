/**
 * One run of the save benchmark in a process of its own (started by `benchApiSaveInChild`): the
 * functions the local stack runs keep their clients, bound to its DynamoDB Local, for the life
 * of the process, so a run on a fresh stack needs a fresh process. Prints one JSON line, the
 * run's ApiSaveResult; progress goes to stderr.
 */
import { benchApiSave } from './api-save.js';

const main = async () => {
  const periods = Number(process.argv[2]);
  if (!Number.isInteger(periods) || periods < 1) {
    throw new Error('usage: node --import tsx bench/api-save-run.ts <periods>');
  }
  const result = await benchApiSave({
    periods,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
};

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : error}\n`);
  process.exit(1);
});
