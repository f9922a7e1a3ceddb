import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import fc from 'fast-check';
import { fixtureInput, LOUFAN_NAME, QINGXU_DETAILS } from './__fixtures__/province.js';
import { csvCell } from './csv.js';
import { type RenderedFile, renderTable, renderTables, sha256Of } from './render.js';
import { buildTables, formatPlain, OUTPUT_NAMES, type Table } from './tables.js';

/**
 * The golden files are the contract of the CSV outputs. When an output is meant to change,
 * regenerate them with `node --import tsx domain/rollup/__fixtures__/write-golden.ts` and
 * review the diff cell by cell.
 */
const GOLDEN_DIR = new URL('./__fixtures__/golden/', import.meta.url);
const golden = (name: string): Buffer => readFileSync(new URL(name, GOLDEN_DIR));

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

const rendered = (): RenderedFile[] => renderTables(buildTables(fixtureInput()));

const fileNamed = (name: string): RenderedFile => {
  const file = rendered().find((candidate) => candidate.name === name);
  if (!file) throw new Error(`No file ${name}`);
  return file;
};

const tableNamed = (name: string): Table => {
  const table = buildTables(fixtureInput()).find((candidate) => candidate.name === name);
  if (!table) throw new Error(`No table ${name}`);
  return table;
};

/** What a CSV reader gets back: rows of cells, without the BOM. */
const parseCsv = (body: Buffer): string[][] =>
  parse(body, { bom: true, relax_column_count: false });

/** The cells the renderer should have written: header row, then formatted values. */
const expectedCells = (table: Table, variant: 'zh' | 'codes'): string[][] => [
  table.columns.map((column) => (variant === 'zh' ? column.label : column.key)),
  ...table.rows.map((row) =>
    table.columns.map((column, index) => (column.format ?? formatPlain)(row[index], variant)),
  ),
];

const FILE_NAMES = OUTPUT_NAMES.flatMap((name) => [`${name}.csv`, `${name}.codes.csv`]);

describe('renderTables (golden files)', () => {
  it('renders each output as a Chinese file and a codes file', () => {
    expect(rendered().map((file) => file.name)).toEqual(FILE_NAMES);
  });

  it.each(FILE_NAMES)('renders %s byte for byte as the golden file', (name) => {
    const file = fileNamed(name);
    const expected = golden(name);
    // The text first, so that a mismatch shows where; then every byte (BOM, CRLF).
    expect(file.body.toString('utf8')).toBe(expected.toString('utf8'));
    expect(file.body.equals(expected)).toBe(true);
    expect(file.sha256).toBe(sha256Of(expected));
  });

  it('counts the data rows, not the header', () => {
    expect(Object.fromEntries(rendered().map((file) => [file.name, file.rows]))).toEqual({
      'comparison.csv': 6,
      'comparison.codes.csv': 6,
      'summary.csv': 84, // (20 metrics + 8 standards) × (province + 2 cities)
      'summary.codes.csv': 84,
      'problems.csv': 9,
      'problems.codes.csv': 9,
      'completeness.csv': 6,
      'completeness.codes.csv': 6,
      'submissions.csv': 3,
      'submissions.codes.csv': 3,
    });
  });
});

describe('CSV encoding', () => {
  it.each(OUTPUT_NAMES)('starts only the Chinese %s file with a UTF-8 BOM', (name) => {
    expect(golden(`${name}.csv`).subarray(0, 3).equals(BOM)).toBe(true);
    expect(golden(`${name}.codes.csv`).subarray(0, 3).equals(BOM)).toBe(false);
    expect(golden(`${name}.codes.csv`).toString('utf8').startsWith('\ufeff')).toBe(false);
  });

  it.each(FILE_NAMES)('ends the records of %s with CRLF', (name) => {
    const text = golden(name).toString('utf8');
    expect(text.endsWith('\r\n')).toBe(true);
    const cells = parseCsv(golden(name));
    // Every record ends in CRLF; a bare LF only ever sits inside a quoted cell.
    expect(text.split('\r\n').length - 1).toBe(cells.length);
    const bareLineFeeds = (text.match(/(?<!\r)\n/g) ?? []).length;
    const lineFeedsInCells = cells.flat().join('').split('\n').length - 1;
    expect(bareLineFeeds).toBe(lineFeedsInCells);
  });

  it('writes numbers plain, without thousands separators', () => {
    const text = golden('comparison.codes.csv').toString('utf8');
    expect(text).toContain(',2400000,');
    expect(text).not.toMatch(/\d,\d{3},\d{3}/);
  });
});

describe('parsing the files back', () => {
  it.each(
    OUTPUT_NAMES.flatMap(
      (name) =>
        [
          [name, 'zh'],
          [name, 'codes'],
        ] as const,
    ),
  )('gives back every cell of %s (%s)', (name, variant) => {
    const file = `${name}${variant === 'zh' ? '' : '.codes'}.csv`;
    expect(parseCsv(golden(file))).toEqual(expectedCells(tableNamed(name), variant));
  });

  it('keeps the name with a comma and quotes and the Chinese names', () => {
    for (const file of ['comparison.csv', 'comparison.codes.csv', 'completeness.csv']) {
      const names = parseCsv(golden(file)).map((row) => row[1]);
      expect(names).toEqual([
        file.endsWith('codes.csv') ? 'name' : '图书馆',
        '清徐县图书馆',
        '阳曲县图书馆',
        LOUFAN_NAME,
        '武乡县图书馆',
        '沁县图书馆',
        '沁源县图书馆',
      ]);
    }
    const [, space] = parseCsv(golden('problems.csv'));
    expect(space?.[4]).toBe(`清徐县图书馆;${LOUFAN_NAME};武乡县图书馆`);
  });

  it('keeps problem details with commas, quotes and a line break in one cell', () => {
    const [header, qingxu] = parseCsv(golden('submissions.codes.csv'));
    const detailsAt = header?.indexOf('problemDetails') ?? -1;
    expect(detailsAt).toBeGreaterThan(0);
    expect(qingxu?.[detailsAt]).toBe(QINGXU_DETAILS);
    expect(qingxu).toHaveLength(header?.length ?? 0);
  });

  it('keeps the Chinese headers', () => {
    const [header] = parseCsv(golden('comparison.csv'));
    expect(header?.slice(0, 4)).toEqual(['馆代码', '图书馆', '所属市', '填报状态']);
    expect(header).toContain('人均藏书量（册/人）');
    expect(header).toContain('未达标项');
  });
});

describe('renderTable', () => {
  const table: Table = {
    name: 'problems',
    columns: [
      { key: 'code', label: '代码' },
      { key: 'note', label: '说明' },
    ],
    rows: [
      ['a', 'line one\r\nline two'],
      ['b', undefined],
      ['c', ['x', 'y']],
    ],
  };

  it('quotes a cell holding CRLF and round-trips it', () => {
    const file = renderTable(table, 'codes');
    expect(parseCsv(file.body)).toEqual([
      ['code', 'note'],
      ['a', 'line one\r\nline two'],
      ['b', ''],
      ['c', 'x;y'],
    ]);
    expect(file.rows).toBe(3);
    expect(file.sha256).toBe(sha256Of(file.body));
  });

  it('names the files after the table and the variant', () => {
    expect(renderTable(table, 'zh')).toMatchObject({
      name: 'problems.csv',
      output: 'problems',
      variant: 'zh',
    });
    expect(renderTable(table, 'codes')).toMatchObject({
      name: 'problems.codes.csv',
      output: 'problems',
      variant: 'codes',
    });
  });

  it('writes cells written beforehand as they are, after the ones it formats', () => {
    const submissions = tableNamed('submissions');
    expect(submissions.written?.from).toBe(3);
    const { written: _written, ...unwritten } = submissions;
    for (const variant of ['zh', 'codes'] as const) {
      expect(renderTable(submissions, variant).body.toString('utf8')).toBe(
        renderTable(unwritten, variant).body.toString('utf8'),
      );
    }
    // What was written beforehand is what goes into the file, whatever the rows hold.
    const altered: Table = {
      ...table,
      written: { from: 1, rows: table.rows.map(() => ({ zh: '"写好的"', codes: 'written' })) },
    };
    expect(parseCsv(renderTable(altered, 'codes').body)).toEqual([
      ['code', 'note'],
      ['a', 'written'],
      ['b', 'written'],
      ['c', 'written'],
    ]);
    expect(parseCsv(renderTable(altered, 'zh').body)[1]).toEqual(['a', '写好的']);
  });

  it('writes a header-only file for a table without rows', () => {
    const file = renderTable({ ...table, rows: [] }, 'zh');
    expect(file.body.toString('utf8')).toBe('\ufeff代码,说明\r\n');
    expect(file.rows).toBe(0);
  });
});

describe('the CSV writer', () => {
  /**
   * What csv-stringify, which wrote these files first, writes for the same cells, told to quote
   * any cell with a line break (it left a bare line feed unquoted, which Excel reads as a new row).
   */
  const REFERENCE = { record_delimiter: 'windows', quoted_match: /[\r\n]/ } as const;
  const stringified = (records: string[][], bom: boolean) =>
    Buffer.from(`${bom ? '\ufeff' : ''}${stringify(records, REFERENCE)}`);

  /** A table whose cells are the given strings, written as they are. */
  const tableOf = (header: string[], rows: string[][]): Table => ({
    name: 'problems',
    columns: header.map((key, index) => ({
      key,
      label: `${key}（${index}）`,
      format: (value: unknown) => String(value),
    })),
    rows,
  });

  // Short strings over the characters that matter to quoting, and some that do not.
  const cell = fc
    .array(
      fc.constantFrom(',', '"', '\r', '\n', '\r\n', ' ', "'", '=', 'a', '1', '中', '\ufeff', '；'),
      {
        maxLength: 6,
      },
    )
    .map((parts) => parts.join(''));

  it('quotes and escapes every cell as csv-stringify does, line breaks quoted', () => {
    // A problem typed on two lines stays one cell of one row in Excel.
    expect(csvCell('馆舍漏雨\n书库受潮')).toBe('"馆舍漏雨\n书库受潮"');
    fc.assert(
      fc.property(cell, (text) => {
        expect(`${csvCell(text)}\r\n`).toBe(stringify([[text]], REFERENCE));
      }),
      { numRuns: 2_000 },
    );
  });

  it('writes whole files byte for byte as csv-stringify does', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 5 })
          .chain((width) =>
            fc.tuple(
              fc.array(cell, { minLength: width, maxLength: width }),
              fc.array(fc.array(cell, { minLength: width, maxLength: width }), { maxLength: 8 }),
            ),
          ),
        ([header, rows]) => {
          const table = tableOf(header, rows);
          const zh = renderTable(table, 'zh');
          const codes = renderTable(table, 'codes');
          const labels = table.columns.map((column) => column.label);
          expect(zh.body.equals(stringified([labels, ...rows], true))).toBe(true);
          expect(codes.body.equals(stringified([header, ...rows], false))).toBe(true);
          expect(zh.sha256).toBe(sha256Of(zh.body));
          expect(codes.rows).toBe(rows.length);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('writes a large file in pieces without changing a byte or its checksum', () => {
    const rows = Array.from({ length: 6_000 }, (_, index) => [
      String(index),
      `第${index}馆,"说明"`,
      index % 7 === 0 ? 'line\r\nbreak' : '问题；困难',
    ]);
    const table = tableOf(['id', 'name', 'note'], rows);
    const file = renderTable(table, 'zh');
    const expected = stringified([table.columns.map((column) => column.label), ...rows], true);
    expect(file.body.byteLength).toBeGreaterThan(200_000);
    expect(file.body.equals(expected)).toBe(true);
    expect(file.sha256).toBe(sha256Of(expected));
  });
});
