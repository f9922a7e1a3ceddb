import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { formatYuanAsWan, MoneyInputError, parseMoneyInput } from './money.js';

const rejectionOf = (input: string, unit: 'yuan' | 'wan'): MoneyInputError => {
  let thrown: unknown;
  try {
    parseMoneyInput(input, unit);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(MoneyInputError);
  if (!(thrown instanceof MoneyInputError)) throw new Error(`"${input}" was accepted`);
  return thrown;
};

describe('parseMoneyInput', () => {
  it.each<[string, 'yuan' | 'wan', number]>([
    ['12.9', 'wan', 129000],
    ['1', 'wan', 10000],
    ['0.0001', 'wan', 1],
    ['0.5', 'wan', 5000],
    ['12.90', 'wan', 129000],
    ['0', 'wan', 0],
    ['129000', 'yuan', 129000],
    ['12.00', 'yuan', 12],
    ['1,200', 'yuan', 1200],
    ['1，200', 'yuan', 1200],
    ['1 200', 'yuan', 1200],
    ['  300  ', 'yuan', 300],
    ['３００', 'yuan', 300],
    ['１２．９', 'wan', 129000],
    ['5。2', 'wan', 52000],
    ['007', 'yuan', 7],
    ['0000', 'yuan', 0],
    ['900719925474.0991', 'wan', Number.MAX_SAFE_INTEGER],
  ])('reads "%s" %s as %i yuan', (input, unit, yuan) => {
    expect(parseMoneyInput(input, unit)).toBe(yuan);
  });

  it.each<[string, 'yuan' | 'wan', MoneyInputError['reason']]>([
    ['0.00001', 'wan', 'fraction-of-yuan'],
    ['12.50', 'yuan', 'fraction-of-yuan'],
    ['0.5', 'yuan', 'fraction-of-yuan'],
    ['', 'yuan', 'format'],
    ['   ', 'wan', 'format'],
    ['abc', 'yuan', 'format'],
    ['-5', 'yuan', 'format'],
    ['1e5', 'yuan', 'format'],
    ['12.9万', 'wan', 'format'],
    ['1.2.3', 'yuan', 'format'],
    ['.5', 'wan', 'format'],
    ['5.', 'wan', 'format'],
    ['9007199254740992', 'yuan', 'too-large'],
    ['99999999999999999999', 'yuan', 'too-large'],
    ['900719925474.0992', 'wan', 'too-large'],
  ])('rejects "%s" %s: %s', (input, unit, reason) => {
    const error = rejectionOf(input, unit);
    expect(error.reason).toBe(reason);
    expect(error.input).toBe(input);
    expect(error.name).toBe('MoneyInputError');
    expect(error.message).toContain(reason);
  });
});

describe('formatYuanAsWan', () => {
  it.each([
    [129000, '12.9'],
    [10000, '1'],
    [1, '0.0001'],
    [0, '0'],
    [52000, '5.2'],
    [1234567, '123.4567'],
    [1290000, '129'],
    [-129000, '-12.9'],
  ])('formats %i yuan as %s 万元', (yuan, wan) => {
    expect(formatYuanAsWan(yuan)).toBe(wan);
  });
});

describe('round trip', () => {
  const yuan = fc.oneof(
    fc.integer({ min: 0, max: 100_000_000 }),
    fc.maxSafeNat(),
    fc.constantFrom(0, 1, 9999, 10000, 10001, Number.MAX_SAFE_INTEGER),
  );

  it('parses what formatYuanAsWan writes back to the same yuan', () => {
    fc.assert(
      fc.property(yuan, (amount) => {
        expect(parseMoneyInput(formatYuanAsWan(amount), 'wan')).toBe(amount);
      }),
      { numRuns: 500 },
    );
  });

  it('reads whole yuan written plainly or with thousands separators', () => {
    fc.assert(
      fc.property(yuan, (amount) => {
        expect(parseMoneyInput(String(amount), 'yuan')).toBe(amount);
        expect(parseMoneyInput(amount.toLocaleString('en-US'), 'yuan')).toBe(amount);
      }),
      { numRuns: 300 },
    );
  });
});
