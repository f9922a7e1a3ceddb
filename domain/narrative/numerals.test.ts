import { describe, expect, it } from '@jest/globals';
import { decimalToString } from './decimal.js';
import { normalizeText } from './normalize.js';
import { parseChineseNumeral, scanFigures } from './numerals.js';

const figures = (text: string) =>
  scanFigures(normalizeText(text)).map((figure) => ({
    value: decimalToString(figure.value),
    unit: figure.unit,
    qualifier: figure.qualifier,
    text: text.slice(figure.start, figure.end),
  }));

describe('parseChineseNumeral', () => {
  it.each([
    ['一', 1n],
    ['十', 10n],
    ['十三', 13n],
    ['二十', 20n],
    ['一百零五', 105n],
    ['两千', 2000n],
    ['三千五百', 3500n],
    ['三千五', 3500n],
    ['一万', 10_000n],
    ['一万二', 12_000n],
    ['一万二千', 12_000n],
    ['两万三千五百', 23_500n],
    ['十二万', 120_000n],
    ['一亿二千万', 120_000_000n],
    ['二〇二五', 2025n],
    ['壹仟贰佰', 1200n],
  ])('%s = %s', (text, value) => {
    expect(parseChineseNumeral(text)).toBe(value);
  });

  it('refuses runs that are not numbers', () => {
    expect(parseChineseNumeral('三五')).toBeUndefined();
    expect(parseChineseNumeral('十三五')).toBeUndefined();
  });
});

describe('scanFigures', () => {
  it.each([
    ['12.9万册', '129000', '册', null],
    ['12.9万余册', '129000', '册', '余'],
    ['一万册', '10000', '册', null],
    ['两千人次', '2000', '人次', null],
    ['100多万元', '1000000', '元', '多'],
    ['1.8万多元', '18000', '元', '多'],
    ['近6000余册', '6000', '册', '近'],
    ['328929册次', '328929', '册次', null],
    ['8,900册', '8900', '册', null],
    ['５。２万册', '52000', '册', null],
    ['２８６１．４平方米', '2861.4', '平方米', null],
    ['4T', '4', 'T', null],
    ['2.5TB', '2.5', 'TB', null],
    ['十三个', '13', '个', null],
    ['45种', '45', '种', null],
    ['约3万人次', '30000', '人次', '约'],
    ['500个以上', '500', '个', '以上'],
    ['300次左右', '300', '次', '左右'],
    ['近千人', '1000', '人', '近'],
    ['十多万册', '100000', '册', '多'],
    ['两万余册次', '20000', '册次', '余'],
    ['十二萬冊', '120000', '册', null],
    ['兩千個', '2000', '个', null],
    ['3千册', '3000', '册', null],
    ['约35.6万', '356000', '', '约'],
    ['1.5亿元', '150000000', '元', null],
  ])('%s', (text, value, unit, qualifier) => {
    expect(figures(text)).toEqual([{ value, unit, qualifier, text }]);
  });

  it.each([
    ['a year, a month, a day', '2025年3月12日'],
    ['an ordinal', '第三期'],
    ['a vague amount', '数百名'],
    ['a range', '每月2—4次'],
    ['a date with dashes', '2022-12-05'],
    ['a number glued to letters', '备案号ICP19029798号'],
    ['a percentage', '增长80%'],
    ['a place name', '三所村'],
    ['a sentence stop before a year', '完成5。2023年'],
    ['a lone 万', '上万人次'],
  ])('skips %s', (_name, text) => {
    expect(figures(text)).toEqual([]);
  });

  it('reads several figures in a row', () => {
    expect(figures('年增图书2200余册,接待读者28500多人次,办证1103个').map((f) => f.text)).toEqual([
      '2200余册',
      '28500多人次',
      '1103个',
    ]);
  });
});

describe('normalizeText', () => {
  it('keeps the length, position for position', () => {
    const text = '本館館藏圖書達１２．９萬冊，全年接待讀者（含少兒）３萬人次；';
    const normalized = normalizeText(text);
    expect(normalized).toHaveLength(text.length);
    expect(normalized).toBe('本馆馆藏图书达12.9万册,全年接待读者(含少儿)3万人次;');
  });
});
