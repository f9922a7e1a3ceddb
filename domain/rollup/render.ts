/** Tables as the two CSV files the province downloads, and the run's manifest. */
import { createHash } from 'node:crypto';
import { stringify } from 'csv-stringify/sync';
import type { CsvVariant } from '../forms/csv-layout.js';
import { formatPlain, type OutputName, type Table } from './tables.js';

/** Excel opens UTF-8 correctly only with a byte-order mark. */
const BOM = '\ufeff';

export interface RenderedFile {
  name: string;
  output: OutputName;
  variant: CsvVariant;
  body: Buffer;
  rows: number;
  sha256: string;
}

export const sha256Of = (body: Buffer | string) => createHash('sha256').update(body).digest('hex');

export const renderTable = (table: Table, variant: CsvVariant): RenderedFile => {
  const header = table.columns.map((column) => (variant === 'zh' ? column.label : column.key));
  const records = table.rows.map((row) =>
    table.columns.map((column, index) => (column.format ?? formatPlain)(row[index], variant)),
  );
  // csv-stringify quotes cells with commas, quotes and line breaks (problem details have all).
  const text = stringify([header, ...records], { record_delimiter: 'windows' });
  const body = Buffer.from(variant === 'zh' ? `${BOM}${text}` : text, 'utf8');
  return {
    name: variant === 'zh' ? `${table.name}.csv` : `${table.name}.codes.csv`,
    output: table.name,
    variant,
    body,
    rows: records.length,
    sha256: sha256Of(body),
  };
};

export const renderTables = (tables: readonly Table[]): RenderedFile[] =>
  tables.flatMap((table) => [renderTable(table, 'zh'), renderTable(table, 'codes')]);
