/** CSV text as the rollup's files are written: RFC 4180 quoting, CRLF between records. */

export const RECORD_DELIMITER = '\r\n';

/**
 * One cell, RFC 4180: quoted when it holds a comma, a double quote or any line break, double
 * quotes doubled. (csv-stringify, which these files were first written with, left a cell with a
 * bare line feed unquoted under a CRLF record delimiter, and Excel split such a row in two; a
 * problem description typed on two lines does that.)
 */
const NEEDS_QUOTES = /[,"\r\n]/;
export const csvCell = (text: string): string =>
  NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;

/**
 * Cells joined into (part of) a record, without the record delimiter: one flat string (text
 * kept for later is not left as a rope of its pieces).
 */
export const csvCells = (cells: readonly string[]): string => cells.map(csvCell).join(',');
