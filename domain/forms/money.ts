/**
 * Money is stored as whole yuan (元). People type either 元 or 万元 (ten thousand yuan, the
 * unit of most budget documents); conversion is done on the decimal digits, not in floating
 * point, so 12.9万元 is exactly 129000 元.
 */
export type MoneyUnit = 'yuan' | 'wan';

export class MoneyInputError extends Error {
  constructor(
    readonly input: string,
    readonly reason: 'format' | 'fraction-of-yuan' | 'too-large',
  ) {
    super(`Cannot read "${input}" as money (${reason})`);
    this.name = 'MoneyInputError';
  }
}

const DIGITS_PER_WAN = 4;

/** Parses what a person typed ("12.9", "1,200", "３００") in the given unit into whole yuan. */
export const parseMoneyInput = (input: string, unit: MoneyUnit): number => {
  const normalized = input
    .trim()
    .replace(/[０-９]/g, (digit) => String.fromCharCode(digit.charCodeAt(0) - 0xfee0))
    .replace(/[，,\s]/g, '')
    .replace(/。|．/g, '.');
  const match = /^(\d+)(?:\.(\d+))?$/.exec(normalized);
  if (!match?.[1]) throw new MoneyInputError(input, 'format');
  const whole = match[1];
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  const shift = unit === 'wan' ? DIGITS_PER_WAN : 0;
  if (fraction.length > shift) throw new MoneyInputError(input, 'fraction-of-yuan');
  const digits = `${whole}${fraction.padEnd(shift, '0')}`.replace(/^0+(?=\d)/, '');
  const yuan = Number(digits);
  if (!Number.isSafeInteger(yuan)) throw new MoneyInputError(input, 'too-large');
  return yuan;
};

/** Whole yuan as 万元 text without trailing zeros: 129000 → "12.9". */
export const formatYuanAsWan = (yuan: number): string => {
  const sign = yuan < 0 ? '-' : '';
  const digits = String(Math.abs(Math.trunc(yuan))).padStart(DIGITS_PER_WAN + 1, '0');
  const whole = digits.slice(0, -DIGITS_PER_WAN);
  const fraction = digits.slice(-DIGITS_PER_WAN).replace(/0+$/, '');
  return `${sign}${whole}${fraction ? `.${fraction}` : ''}`;
};
