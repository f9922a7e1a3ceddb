/** Tables as the two CSV files the province downloads, and the run's manifest. */
import { createHash } from 'node:crypto';
import { CSV_VARIANTS, type CsvVariant } from '../forms/csv-layout.js';
import { csvCell, csvCells, RECORD_DELIMITER } from './csv.js';
import {
  type Column,
  formatPlain,
  type OutputName,
  sameInBothVariants,
  type Table,
} from './tables.js';

/** Every table is published in these variants: Chinese headers and labels, and codes. */

/** Excel opens UTF-8 correctly only with a byte-order mark. */
const BOM = '\ufeff';
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
 * A file's body as its records are written: encoded and hashed piece by piece, so only one
 * piece of text is held at a time beside the bytes.
 */
class BodyWriter {
  private readonly hash = createHash('sha256');
  private readonly pieces: Buffer[] = [];
  text: string;

  constructor(readonly variant: CsvVariant) {
    this.text = variant === 'zh' ? BOM : '';
  }

  endRecord(): void {
    this.text += RECORD_DELIMITER;
    if (this.text.length >= CHUNK) this.flush();
  }

  private flush(): void {
    const piece = Buffer.from(this.text, 'utf8');
    this.hash.update(piece);
    this.pieces.push(piece);
    this.text = '';
  }

  finish(table: Table): RenderedFile {
    this.flush();
    const { pieces, variant } = this;
    return {
      name: variant === 'zh' ? `${table.name}.csv` : `${table.name}.codes.csv`,
      output: table.name,
      variant,
      body: pieces.length === 1 ? (pieces[0] as Buffer) : Buffer.concat(pieces),
      rows: table.rows.length,
      sha256: this.hash.digest('hex'),
    };
  }
}

/**
 * A table as the files of the given variants, written in one pass over its rows: a cell that
 * reads the same in both (a number, a name) is formatted and quoted once.
 */
export const renderFiles = (table: Table, variants: readonly CsvVariant[]): RenderedFile[] => {
  const writers = variants.map((variant) => new BodyWriter(variant));
  for (const writer of writers) {
    writer.text += csvCells(
      table.columns.map((column) => (writer.variant === 'zh' ? column.label : column.key)),
    );
    writer.endRecord();
  }
  // Cells from `written.from` on were written as the reports came in.
  const { written } = table;
  const columns = table.columns.slice(0, written ? written.from : undefined);
  const formats = columns.map((column) => column.format ?? formatPlain);
  const separator = written && columns.length > 0 && columns.length < table.columns.length;
  table.rows.forEach((row, rowIndex) => {
    for (let index = 0; index < columns.length; index += 1) {
      const value = row[index];
      const format = formats[index] as NonNullable<Column['format']>;
      let previous: string | undefined;
      for (const writer of writers) {
        const cell =
          previous !== undefined && sameInBothVariants(columns[index] as Column, value)
            ? previous
            : csvCell(format(value, writer.variant));
        if (index > 0) writer.text += ',';
        writer.text += cell;
        previous = cell;
      }
    }
    for (const writer of writers) {
      if (written) {
        if (separator) writer.text += ',';
        writer.text += (written.rows[rowIndex] as Record<CsvVariant, string>)[writer.variant];
      }
      writer.endRecord();
    }
  });
  return writers.map((writer) => writer.finish(table));
};

export const renderTable = (table: Table, variant: CsvVariant): RenderedFile =>
  renderFiles(table, [variant])[0] as RenderedFile;

export const renderTables = (tables: readonly Table[]): RenderedFile[] =>
  tables.flatMap((table) => renderFiles(table, CSV_VARIANTS));
