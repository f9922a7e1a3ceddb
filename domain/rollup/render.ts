/** Tables as the two CSV files the province downloads, and the run's manifest. */
import { createHash } from 'node:crypto';
import type { CsvVariant } from '../forms/csv-layout.js';
import { formatPlain, type OutputName, type Table } from './tables.js';

/** Excel opens UTF-8 correctly only with a byte-order mark. */
const BOM = '\ufeff';
const RECORD_DELIMITER = '\r\n';
/** Text is encoded and hashed in pieces of about this many UTF-16 code units. */
const CHUNK = 1 << 16;

export interface RenderedFile {
  name: string;
  output: OutputName;
  variant: CsvVariant;
  body: Buffer;
  rows: number;
  sha256: string;
}

export const sha256Of = (body: Buffer | string) => createHash('sha256').update(body).digest('hex');

/**
 * One cell as csv-stringify writes it with `record_delimiter: 'windows'` (which these files
 * were first written with, and which render.test.ts checks this against): quoted when it holds
 * a comma, a double quote or CRLF, double quotes doubled. A bare line feed alone does not
 * quote a cell (csv-stringify's rule for a CRLF record delimiter).
 */
const NEEDS_QUOTES = /[,"]|\r\n/;
export const csvCell = (text: string): string =>
  NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;

const csvRecord = (cells: readonly string[]): string => {
  let record = '';
  for (let index = 0; index < cells.length; index += 1) {
    if (index > 0) record += ',';
    record += csvCell(cells[index] as string);
  }
  return record + RECORD_DELIMITER;
};

export const renderTable = (table: Table, variant: CsvVariant): RenderedFile => {
  // The body is encoded and hashed piece by piece as its records are written, so only one
  // piece of text is held at a time beside the bytes.
  const hash = createHash('sha256');
  const pieces: Buffer[] = [];
  let text = variant === 'zh' ? BOM : '';
  const flush = () => {
    const piece = Buffer.from(text, 'utf8');
    hash.update(piece);
    pieces.push(piece);
    text = '';
  };
  text += csvRecord(table.columns.map((column) => (variant === 'zh' ? column.label : column.key)));
  const formats = table.columns.map((column) => column.format ?? formatPlain);
  const cells: string[] = new Array(formats.length);
  for (const row of table.rows) {
    for (let index = 0; index < formats.length; index += 1) {
      cells[index] = (formats[index] as (value: unknown, variant: CsvVariant) => string)(
        row[index],
        variant,
      );
    }
    text += csvRecord(cells);
    if (text.length >= CHUNK) flush();
  }
  flush();
  const body = pieces.length === 1 ? (pieces[0] as Buffer) : Buffer.concat(pieces);
  return {
    name: variant === 'zh' ? `${table.name}.csv` : `${table.name}.codes.csv`,
    output: table.name,
    variant,
    body,
    rows: table.rows.length,
    sha256: hash.digest('hex'),
  };
};

export const renderTables = (tables: readonly Table[]): RenderedFile[] =>
  tables.flatMap((table) => [renderTable(table, 'zh'), renderTable(table, 'codes')]);
