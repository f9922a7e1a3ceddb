/**
 * Finds the figures of a text: a number (Arabic, Chinese or mixed), its multiplier (万, 亿,
 * 千), its qualifier (余, 多, 近, 约, 以上…) and its unit (册, 人次, 平方米, 元, TB…). Works on
 * the normalised text (normalize.ts), whose positions are the original's.
 */
import { type Decimal, fromBigInt, parseDecimal, shift } from './decimal.js';

/** A word that makes a figure approximate; the figure keeps the stated number. */
export type Qualifier =
  | '余'
  | '多'
  | '近'
  | '约'
  | '以上'
  | '左右'
  | '逾'
  | '超过'
  | '将近'
  | '大约'
  | '不足'
  | '不到';

export interface Figure {
  /** The whole figure, qualifiers and unit included, in the original text. */
  start: number;
  end: number;
  /** Just the number (and its multiplier). */
  numberStart: number;
  numberEnd: number;
  value: Decimal;
  /** The unit as normalised (册, 人次, 元…), or '' for a bare 万/亿 figure. */
  unit: string;
  multiplier: '万' | '亿' | '千' | '百' | null;
  qualifier: Qualifier | null;
  /** Chinese numerals, or a full-width stop used as a decimal point: shown to the reviewer. */
  chinese: boolean;
}

/**
 * Units a figure may carry, longest first. Time, age, ordinal and percentage units are absent
 * on purpose: a number followed by 年, 月, 日, 岁, 号 or % is never a figure of the form.
 */
export const UNITS = [
  '平方米',
  '平米',
  '平方',
  '册次',
  '人次',
  '场次',
  '小时',
  '学时',
  '课时',
  '㎡',
  'm²',
  'm2',
  'TB',
  'GB',
  'T',
  '册',
  '本',
  '件',
  '元',
  '人',
  '名',
  '位',
  '个',
  '家',
  '所',
  '处',
  '座',
  '张',
  '种',
  '场',
  '期',
  '次',
  '项',
  '条',
  '班',
  '席',
] as const;
export type Unit = (typeof UNITS)[number] | '';

/** Measure words: in "13个乡镇分馆" the noun after the unit says what is counted. */
export const MEASURE_WORDS: ReadonlySet<string> = new Set([
  '个',
  '名',
  '位',
  '家',
  '所',
  '处',
  '座',
  '张',
  '种',
  '场',
  '期',
  '次',
  '项',
  '条',
  '班',
  '席',
  '场次',
]);

const CHINESE_DIGITS: Readonly<Record<string, number>> = {
  零: 0,
  〇: 0,
  一: 1,
  壹: 1,
  二: 2,
  贰: 2,
  两: 2,
  三: 3,
  叁: 3,
  四: 4,
  肆: 4,
  五: 5,
  伍: 5,
  六: 6,
  陆: 6,
  七: 7,
  柒: 7,
  八: 8,
  捌: 8,
  九: 9,
  玖: 9,
};
const CHINESE_SMALL_UNITS: Readonly<Record<string, bigint>> = {
  十: 10n,
  拾: 10n,
  百: 100n,
  佰: 100n,
  千: 1000n,
  仟: 1000n,
};
const CHINESE_BIG_UNITS: Readonly<Record<string, bigint>> = { 万: 10_000n, 亿: 100_000_000n };

const isChineseNumeralChar = (char: string | undefined) =>
  char !== undefined &&
  (char in CHINESE_DIGITS || char in CHINESE_SMALL_UNITS || char in CHINESE_BIG_UNITS);

/** A Chinese numeral may start with a digit or 十/百/千 (十三, 百余), never with 万/亿/零. */
const startsChineseNumeral = (char: string | undefined) =>
  char !== undefined &&
  ((char in CHINESE_DIGITS && char !== '零' && char !== '〇') || char in CHINESE_SMALL_UNITS);

/**
 * The value of a Chinese numeral such as 十三, 一百零五, 两万三千, 一万二 (12000), 二〇二二;
 * undefined when it is not one.
 */
export const parseChineseNumeral = (text: string): bigint | undefined => {
  if (text === '') return undefined;
  const chars = [...text];
  if (chars.every((char) => char in CHINESE_DIGITS)) {
    // A single digit, or digit by digit with a zero (二〇二二); 三五 is "three or five".
    if (chars.length > 1 && !chars.some((char) => char === '〇' || char === '零')) return undefined;
    return BigInt(chars.map((char) => CHINESE_DIGITS[char]).join(''));
  }
  let total = 0n;
  let section = 0n;
  let number = 0n;
  let lastUnit = 0n;
  let pendingDigit = false;
  let zeroSinceUnit = false;
  for (const char of chars) {
    const digit = CHINESE_DIGITS[char];
    if (digit !== undefined) {
      if (pendingDigit && digit !== 0) return undefined; // 二三: not a numeral
      number = BigInt(digit);
      pendingDigit = digit !== 0;
      if (digit === 0) zeroSinceUnit = true;
      continue;
    }
    zeroSinceUnit = false;
    const small = CHINESE_SMALL_UNITS[char];
    if (small !== undefined) {
      section += (number === 0n && !pendingDigit ? 1n : number) * small;
      number = 0n;
      pendingDigit = false;
      lastUnit = small;
      continue;
    }
    const big = CHINESE_BIG_UNITS[char];
    if (big === undefined) return undefined;
    if (big === 100_000_000n) {
      total = (total + section + number) * big;
      section = 0n;
    } else {
      section = (section + number) * big;
    }
    number = 0n;
    pendingDigit = false;
    lastUnit = big;
  }
  // 一万二 is 12000 and 三千五 is 3500: a trailing digit counts in the next smaller unit.
  if (pendingDigit && !zeroSinceUnit && lastUnit >= 100n) number *= lastUnit / 10n;
  return total + section + number;
};

const MULTIPLIERS: Readonly<Record<string, number>> = { 万: 4, 亿: 8, 千: 3, 百: 2 };
const PRE_QUALIFIERS: readonly Qualifier[] = [
  '将近',
  '大约',
  '超过',
  '不足',
  '不到',
  '近',
  '约',
  '逾',
];
const POST_QUALIFIERS: readonly Qualifier[] = ['以上', '左右'];
/** Before a number, these make it vague (数百, 几千, 上万, 成千): not a figure at all. */
const VAGUE_BEFORE = /[数几上]$/;
const RANGE_MARK = /^[-—–~至到]/;
const PLACE_SUFFIX = /^[村镇乡街路巷庄屯湾桥铺坊寨岭坡沟营堡]$/;

const isAsciiDigit = (char: string | undefined) => char !== undefined && char >= '0' && char <= '9';
const isLatin = (char: string | undefined) => char !== undefined && /[A-Za-z]/.test(char);

const unitAt = (text: string, position: number): string | undefined => {
  for (const unit of UNITS) {
    if (!text.startsWith(unit, position)) continue;
    const next = text[position + unit.length];
    // 4T but not 4Tea; m2 but not m2x.
    if (/^[A-Za-z]/.test(unit) && isLatin(next)) continue;
    return unit;
  }
  return undefined;
};

interface NumberToken {
  end: number;
  value: Decimal;
  chinese: boolean;
  fromArabic: boolean;
}

/** An Arabic number at `start`: 8900, 8,900, 12.9, and 5。2 when a multiplier or unit follows. */
const readArabic = (text: string, start: number): NumberToken => {
  let position = start;
  while (isAsciiDigit(text[position])) position += 1;
  let whole = text.slice(start, position);
  // Thousands separators: a lead of one to three digits, then groups of exactly three.
  const lead = position - start;
  while (
    lead <= 3 &&
    text[position] === ',' &&
    /^\d{3}(?!\d)/.test(text.slice(position + 1, position + 5))
  ) {
    whole += text.slice(position + 1, position + 4);
    position += 4;
  }
  let fraction = '';
  let chinese = false;
  const mark = text[position];
  if ((mark === '.' || mark === '。') && isAsciiDigit(text[position + 1])) {
    let end = position + 1;
    while (isAsciiDigit(text[end])) end += 1;
    const after = text[end] ?? '';
    const followedByMeasure = after in MULTIPLIERS || unitAt(text, end) !== undefined;
    // A full stop is a decimal point only inside a figure ("5。2万"), never between sentences.
    if (mark === '.' || (followedByMeasure && whole.length <= 6)) {
      fraction = text.slice(position + 1, end);
      chinese = mark === '。';
      position = end;
    }
  }
  const value = parseDecimal(fraction ? `${whole}.${fraction}` : whole) ?? fromBigInt(0n);
  return { end: position, value, chinese, fromArabic: true };
};

/** Longer runs of numeral characters are not numbers (一二三四五…, names, lists). */
const MAX_CHINESE_RUN = 16;

const readChinese = (text: string, start: number): NumberToken | { skip: number } => {
  let position = start;
  while (isChineseNumeralChar(text[position])) position += 1;
  if (position - start > MAX_CHINESE_RUN) return { skip: position };
  // A run ending in 万/亿 right before 余/多 is handled by the caller as a multiplier.
  let run = text.slice(start, position);
  while (run.length > 1 && /[万亿]$/.test(run)) {
    run = run.slice(0, -1);
    position -= 1;
  }
  const value = parseChineseNumeral(run);
  if (value === undefined) return { skip: start + 1 };
  return { end: position, value: fromBigInt(value), chinese: true, fromArabic: false };
};

const qualifierBefore = (text: string, position: number): Qualifier | null => {
  for (const qualifier of PRE_QUALIFIERS) {
    if (text.slice(position - qualifier.length, position) === qualifier) return qualifier;
  }
  return null;
};

/**
 * Every figure of a normalised text, in order. A number counts as a figure only with a unit
 * (or, for populations and amounts, a 万/亿 multiplier); ordinals (第三), vague amounts (数百),
 * ranges (2—4次) and numbers glued to Latin letters (ICP19029798) are skipped.
 */
export const scanFigures = (text: string): Figure[] => {
  const figures: Figure[] = [];
  let position = 0;
  while (position < text.length) {
    const char = text[position];
    const arabic = isAsciiDigit(char);
    if (!arabic && !startsChineseNumeral(char)) {
      position += 1;
      continue;
    }
    const previous = text[position - 1];
    const token = arabic ? readArabic(text, position) : readChinese(text, position);
    if ('skip' in token) {
      position = token.skip;
      continue;
    }
    const numberStart = position;
    position = Math.max(token.end, position + 1);
    if (
      isLatin(previous) ||
      previous === '.' ||
      previous === '第' ||
      (previous !== undefined && VAGUE_BEFORE.test(previous) && !arabic)
    ) {
      continue;
    }
    let cursor = token.end;
    let qualifier: Qualifier | null = qualifierBefore(text, numberStart);
    const takeMidQualifier = () => {
      const next = text[cursor];
      if (next === '余' || next === '多') {
        qualifier ??= next;
        cursor += 1;
      }
    };
    takeMidQualifier();
    let value = token.value;
    let multiplier: Figure['multiplier'] = null;
    const next = text[cursor];
    if (
      next !== undefined &&
      next in MULTIPLIERS &&
      (next === '万' || next === '亿' || token.fromArabic)
    ) {
      multiplier = next as NonNullable<Figure['multiplier']>;
      value = shift(value, MULTIPLIERS[next] ?? 0);
      cursor += 1;
      if (text[cursor] === '余' || text[cursor] === '多') takeMidQualifier();
    }
    const numberEnd = multiplier ? cursor : token.end;
    // 2—4次, 1-6月: a range is not one figure.
    if (RANGE_MARK.test(text.slice(cursor, cursor + 1))) {
      const after = text[cursor + 1];
      if (isAsciiDigit(after) || startsChineseNumeral(after)) {
        position = cursor + 1;
        while (
          position < text.length &&
          (isAsciiDigit(text[position]) || isChineseNumeralChar(text[position]))
        ) {
          position += 1;
        }
        continue;
      }
    }
    const unit = unitAt(text, cursor);
    if (unit === undefined && multiplier !== '万' && multiplier !== '亿') continue;
    if (unit !== undefined) cursor += unit.length;
    // 三所村, 七里镇, 五家庄: a Chinese numeral and a measure word starting a place name.
    if (token.chinese && !token.fromArabic && PLACE_SUFFIX.test(text[cursor] ?? '')) continue;
    for (const post of POST_QUALIFIERS) {
      if (text.startsWith(post, cursor)) {
        qualifier ??= post;
        cursor += post.length;
        break;
      }
    }
    if (qualifier === null && (text[cursor] === '余' || text[cursor] === '多') && unit) {
      qualifier = text[cursor] as Qualifier;
      cursor += 1;
    }
    const qualifierStart = qualifier ? qualifierBefore(text, numberStart) : null;
    figures.push({
      start: numberStart - (qualifierStart?.length ?? 0),
      end: cursor,
      numberStart,
      numberEnd,
      value,
      unit: unit ?? '',
      multiplier,
      qualifier,
      chinese: token.chinese,
    });
    position = cursor;
  }
  return figures;
};
