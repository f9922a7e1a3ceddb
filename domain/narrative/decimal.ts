/**
 * Exact decimal numbers for extracted figures: `digits / 10^scale`, so that 12.9万 is exactly
 * 129000 and 2861.4 stays 2861.4 (the same idea as domain/forms/money.ts: shift the digits,
 * never multiply in floating point).
 */
export interface Decimal {
  readonly digits: bigint;
  readonly scale: number;
}

/** Parses plain ASCII digits with an optional fraction ("12", "12.9"); undefined otherwise. */
export const parseDecimal = (text: string): Decimal | undefined => {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match?.[1]) return undefined;
  const fraction = match[2] ?? '';
  return { digits: BigInt(`${match[1]}${fraction}`), scale: fraction.length };
};

export const fromBigInt = (value: bigint): Decimal => ({ digits: value, scale: 0 });

/** Multiplies by 10^power (power ≥ 0), exactly. */
export const shift = (value: Decimal, power: number): Decimal => {
  if (value.scale >= power) return { digits: value.digits, scale: value.scale - power };
  return { digits: value.digits * 10n ** BigInt(power - value.scale), scale: 0 };
};

/** Drops trailing zeros of the fraction: 12.50 → 12.5, 3.0 → 3. */
export const simplify = (value: Decimal): Decimal => {
  let { digits, scale } = value;
  while (scale > 0 && digits % 10n === 0n) {
    digits /= 10n;
    scale -= 1;
  }
  return { digits, scale };
};

export const decimalToString = (value: Decimal): string => {
  const { digits, scale } = simplify(value);
  if (scale === 0) return digits.toString();
  const text = digits.toString().padStart(scale + 1, '0');
  return `${text.slice(0, -scale)}.${text.slice(-scale)}`;
};

export const isWhole = (value: Decimal): boolean => simplify(value).scale === 0;

/** Decimal places after simplification. */
export const decimalPlaces = (value: Decimal): number => simplify(value).scale;

/** The number JavaScript reads from the exact decimal text (exact for the values forms hold). */
export const decimalToNumber = (value: Decimal): number => Number(decimalToString(value));
