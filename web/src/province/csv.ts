/**
 * A small RFC 4180 reader for the rollup's CSV files: quoted fields, doubled quotes, CRLF (or
 * LF, or CR) line ends, line breaks inside quotes and a leading byte-order mark. The files are
 * at most a few hundred rows, so a character loop is plenty and keeps the bundle small.
 */

const BYTE_ORDER_MARK = '\uFEFF';

/** Every record of the text as its fields; a final line break does not add an empty record. */
export const parseCsv = (text: string): string[][] => {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  // A quoted empty field ("") still makes a record, so track whether the field had any content.
  let fieldStarted = false;
  let inQuotes = false;
  let index = text.startsWith(BYTE_ORDER_MARK) ? 1 : 0;

  const endField = () => {
    record.push(field);
    field = '';
    fieldStarted = false;
  };
  const endRecord = () => {
    endField();
    records.push(record);
    record = [];
  };

  while (index < text.length) {
    const char = text.charAt(index);
    if (inQuotes) {
      if (char !== '"') {
        field += char;
      } else if (text.charAt(index + 1) === '"') {
        field += '"';
        index += 1;
      } else {
        inQuotes = false;
      }
    } else if (char === '"' && !fieldStarted) {
      inQuotes = true;
      fieldStarted = true;
    } else if (char === ',') {
      endField();
    } else if (char === '\r' || char === '\n') {
      if (char === '\r' && text.charAt(index + 1) === '\n') index += 1;
      endRecord();
    } else {
      // A stray quote inside an unquoted field is kept as text, as spreadsheets do.
      field += char;
      fieldStarted = true;
    }
    index += 1;
  }
  if (inQuotes) throw new Error('CSV ends inside a quoted field');
  if (fieldStarted || record.length > 0) endRecord();
  return records;
};

/** The records after the header row as objects keyed by its column names; short rows read as empty. */
export const parseCsvRecords = (text: string): Record<string, string>[] => {
  const [header = [], ...rows] = parseCsv(text);
  return rows.map((row) =>
    Object.fromEntries(header.map((column, position) => [column, row[position] ?? ''])),
  );
};
