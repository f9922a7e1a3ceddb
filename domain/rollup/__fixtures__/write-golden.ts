/**
 * Writes the golden CSV files of the fixture province, the contract render.test.ts holds the
 * rollup to. Run it only when an output is meant to change, then read the diff cell by cell:
 *
 *   node --import tsx domain/rollup/__fixtures__/write-golden.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { renderTables } from '../render.js';
import { buildTables } from '../tables.js';
import { fixtureInput } from './province.js';

const GOLDEN_DIR = new URL('./golden/', import.meta.url);

mkdirSync(GOLDEN_DIR, { recursive: true });
for (const file of renderTables(buildTables(fixtureInput()))) {
  writeFileSync(new URL(file.name, GOLDEN_DIR), file.body);
  console.log(`${file.name}\t${file.rows} rows\t${file.body.byteLength} bytes`);
}
