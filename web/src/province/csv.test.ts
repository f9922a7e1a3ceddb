import { describe, expect, it } from '@jest/globals';
import { parseCsv, parseCsvRecords } from './csv.js';

describe('parseCsv', () => {
  it('reads plain records with CRLF line ends and no empty record after the last one', () => {
    expect(parseCsv('a,b,c\r\n1,2,3\r\n')).toEqual([
      ['a', 'b', 'c'],
      ['1', '2', '3'],
    ]);
  });

  it('accepts LF and lone CR line ends and a last line without a break', () => {
    expect(parseCsv('a,b\n1,2\r3,4')).toEqual([
      ['a', 'b'],
      ['1', '2'],
      ['3', '4'],
    ]);
  });

  it('keeps empty fields, including a trailing one', () => {
    expect(parseCsv(',a,,\r\n')).toEqual([['', 'a', '', '']]);
  });

  it('reads quoted fields with commas, doubled quotes and embedded line breaks', () => {
    const text = 'name,note\r\n"小店区图书馆","馆舍 ""老旧"", 需改造\r\n第二行"\r\n"a\nb",x\r\n';
    expect(parseCsv(text)).toEqual([
      ['name', 'note'],
      ['小店区图书馆', '馆舍 "老旧", 需改造\r\n第二行'],
      ['a\nb', 'x'],
    ]);
  });

  it('drops a leading byte-order mark, as in the Excel files', () => {
    expect(parseCsv('\uFEFF馆代码,图书馆\r\n140105,小店区图书馆\r\n')).toEqual([
      ['馆代码', '图书馆'],
      ['140105', '小店区图书馆'],
    ]);
  });

  it('keeps a quoted empty field as a record of its own', () => {
    expect(parseCsv('""\r\n')).toEqual([['']]);
    expect(parseCsv('')).toEqual([]);
  });

  it('keeps a stray quote inside an unquoted field as text', () => {
    expect(parseCsv('5"3,x')).toEqual([['5"3', 'x']]);
  });

  it('refuses text that ends inside a quoted field (a truncated file)', () => {
    expect(() => parseCsv('a,"unfinished\r\n')).toThrow('quoted field');
  });
});

describe('parseCsvRecords', () => {
  it('keys each record by the header and reads missing cells as empty', () => {
    expect(
      parseCsvRecords('libraryId,name,flags\r\n140105,小店区图书馆\r\n140106,迎泽区图书馆,a;b\r\n'),
    ).toEqual([
      { libraryId: '140105', name: '小店区图书馆', flags: '' },
      { libraryId: '140106', name: '迎泽区图书馆', flags: 'a;b' },
    ]);
  });

  it('gives no records for a header alone or an empty text', () => {
    expect(parseCsvRecords('a,b\r\n')).toEqual([]);
    expect(parseCsvRecords('')).toEqual([]);
  });
});
