/** CSV text as the rollup's files are written: RFC 4180 quoting, CRLF between records. */

export const RECORD_DELIMITER = '\r\n';

/**
 * One cell as csv-stringify writes it with `record_delimiter: 'windows'` (which these files
 * were first written with, and which render.test.ts checks this against): quoted when it holds
 * a comma, a double quote or CRLF, double quotes doubled. A bare line feed alone does not
 * quote a cell (csv-stringify's rule for a CRLF record delimiter).
 */
const NEEDS_QUOTES = /[,"]|\r\n/;
export const csvCell = (text: string): string =>
  NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;

/**
 * Cells joined into (part of) a record, without the record delimiter: one flat string (text
 * kept for later is not left as a rope of its pieces).
 */
export const csvCells = (cells: readonly string[]): string => cells.map(csvCell).join(',');
