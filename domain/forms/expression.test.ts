import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  type Expression,
  ExpressionSyntaxError,
  evaluate,
  FUNCTIONS,
  fieldReferences,
  parseExpression,
  requiredInputs,
  type Scope,
  type Value,
} from './expression.js';

/** A scope over plain objects; absent keys are missing values. */
const scopeOf = (
  current: Record<string, Value> = {},
  previous: Record<string, Value> = {},
): Scope => ({
  current: (key) => current[key],
  previous: (key) => previous[key],
});

const run = (source: string, current: Record<string, Value> = {}, previous = {}) =>
  evaluate(parseExpression(source), scopeOf(current, previous));

/** A compact rendering of the tree, with explicit grouping. */
const show = (expression: Expression): string => {
  switch (expression.kind) {
    case 'number':
      return String(expression.value);
    case 'string':
      return `'${expression.value}'`;
    case 'boolean':
      return String(expression.value);
    case 'field':
      return expression.previous ? `previous.${expression.key}` : expression.key;
    case 'unary':
      return `(${expression.operator} ${show(expression.operand)})`;
    case 'binary':
      return `(${show(expression.left)} ${expression.operator} ${show(expression.right)})`;
    case 'call':
      return `${expression.name}(${expression.args.map(show).join(', ')})`;
  }
};

const syntaxErrorOf = (source: string): ExpressionSyntaxError => {
  let thrown: unknown;
  try {
    parseExpression(source);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(ExpressionSyntaxError);
  if (!(thrown instanceof ExpressionSyntaxError)) throw new Error(`${source} parsed`);
  return thrown;
};

describe('parseExpression: precedence and associativity', () => {
  it.each([
    ['1 + 2 * 3', '(1 + (2 * 3))'],
    ['(1 + 2) * 3', '((1 + 2) * 3)'],
    ['a - b - c', '((a - b) - c)'],
    ['a / b / c', '((a / b) / c)'],
    ['a - b * c / d', '(a - ((b * c) / d))'],
    ['-a * b', '((- a) * b)'],
    ['- - a', '(- (- a))'],
    ['not a and b', '((not a) and b)'],
    ['not a == b', '(not (a == b))'],
    ['a or b and c', '(a or (b and c))'],
    ['a and b or c', '((a and b) or c)'],
    ['a + 1 <= b * 2', '((a + 1) <= (b * 2))'],
    ['a < b and c >= d', '((a < b) and (c >= d))'],
    ['x == 1 or y != 2', '((x == 1) or (y != 2))'],
  ])('%s groups as %s', (source, grouping) => {
    expect(show(parseExpression(source))).toBe(grouping);
  });

  it('evaluates 1 + 2 * 3 to 7 and 10 - 4 - 3 to 3', () => {
    expect(run('1 + 2 * 3')).toBe(7);
    expect(run('10 - 4 - 3')).toBe(3);
    expect(run('24 / 4 / 2')).toBe(3);
  });

  it.each([
    'a < b < c',
    'a == b == c',
    'a <= b != c',
    'a + 1 < b + 2 < c',
    'not a < b < c',
    'a == (b < c)',
  ])('rejects the comparison chain %s', (source) => {
    expect(syntaxErrorOf(source).message).toMatch(/cannot be chained/);
  });

  it('reports a chain at its second comparison', () => {
    expect(syntaxErrorOf('a < b < c').at).toBe(6);
  });

  it('accepts comparisons joined by and/or', () => {
    expect(run('1 < 2 and 2 < 3')).toBe(true);
  });
});

describe('parseExpression: terms', () => {
  it('reads previous.x as a field of the previous period', () => {
    expect(parseExpression('previous.holdingsTotal')).toEqual({
      kind: 'field',
      key: 'holdingsTotal',
      previous: true,
      at: 0,
    });
    expect(parseExpression('previous')).toMatchObject({ kind: 'field', key: 'previous' });
  });

  it('reads strings, booleans and decimal numbers', () => {
    expect(parseExpression("'grade1'")).toMatchObject({ kind: 'string', value: 'grade1' });
    expect(parseExpression("''")).toMatchObject({ kind: 'string', value: '' });
    expect(parseExpression('true')).toMatchObject({ kind: 'boolean', value: true });
    expect(parseExpression('false')).toMatchObject({ kind: 'boolean', value: false });
    expect(parseExpression('0.25')).toMatchObject({ kind: 'number', value: 0.25 });
  });

  it('records the column of every node', () => {
    const expression = parseExpression('  abc   + 12');
    expect(expression).toMatchObject({
      kind: 'binary',
      at: 8,
      left: { kind: 'field', at: 2 },
      right: { kind: 'number', at: 10 },
    });
  });

  it('parses every function with its allowed arities', () => {
    for (const [name, { arity }] of Object.entries(FUNCTIONS)) {
      const [least, most] = arity;
      for (const count of [least, most]) {
        const args = Array.from({ length: count }, (_, index) => `a${index}`).join(', ');
        expect(parseExpression(`${name}(${args})`)).toMatchObject({
          kind: 'call',
          name,
          args: Array.from({ length: count }, () => expect.objectContaining({ kind: 'field' })),
        });
      }
    }
  });

  it.each([
    ['abs()', 'abs() takes 1 arguments'],
    ['abs(a, b)', 'abs() takes 1 arguments'],
    ['min(a)', 'min() takes 2 to 8 arguments'],
    ['max(a)', 'max() takes 2 to 8 arguments'],
    ['max(a, b, c, d, e, f, g, h, i)', 'max() takes 2 to 8 arguments'],
    ['round()', 'round() takes 1 to 2 arguments'],
    ['round(a, 1, 2)', 'round() takes 1 to 2 arguments'],
    ['present()', 'present() takes 1 arguments'],
    ['count(a, b)', 'count() takes 1 arguments'],
    ['coalesce(a)', 'coalesce() takes 2 arguments'],
    ['coalesce(a, b, c)', 'coalesce() takes 2 arguments'],
  ])('rejects %s: %s', (source, message) => {
    const error = syntaxErrorOf(source);
    expect(error.message).toContain(message);
    expect(error.at).toBe(0);
  });

  it('rejects an unknown function at its name', () => {
    const error = syntaxErrorOf('1 + sqrt(a)');
    expect(error.message).toMatch(/^Unknown function 'sqrt' at column 5 of `1 \+ sqrt\(a\)`$/);
    expect(error.at).toBe(4);
    expect(error.source).toBe('1 + sqrt(a)');
    expect(error.name).toBe('ExpressionSyntaxError');
  });

  it.each([
    ['a +', 3, /Unexpected 'end'/],
    ['(a + b', 6, /Expected '\)' but found 'end'/],
    ['a b', 2, /Unexpected 'b'/],
    ['a + * b', 4, /Unexpected '\*'/],
    [')', 0, /Unexpected '\)'/],
    ['min(1,)', 6, /Unexpected '\)'/],
    ['previous.', 9, /Expected a field key after previous\./],
    ['previous.1', 9, /Expected a field key/],
    ['1e5', 1, /Unexpected 'e5'/],
    ['.5', 0, /Unexpected '\.'/],
    ['', 0, /Unexpected 'end'/],
    ['   ', 3, /Unexpected 'end'/],
  ])('rejects %j at column index %i', (source, at, message) => {
    const error = syntaxErrorOf(source);
    expect(error.at).toBe(at);
    expect(error.message).toMatch(message);
    expect(error.message).toContain(`at column ${at + 1} of`);
  });

  it.each([
    ['a & b', 2, '&'],
    ['a  ; b', 3, ';'],
    ["'unterminated", 0, "'"],
    ["'back\\slash'", 0, "'"],
    ['总藏量 > 1', 0, '总'],
    ['a = b', 2, '='],
    ['a ! b', 2, '!'],
    ['a\t% 2', 2, '%'],
  ])('rejects the unexpected character in %j', (source, at, character) => {
    const error = syntaxErrorOf(source);
    expect(error.at).toBe(at);
    expect(error.message).toContain(`Unexpected character '${character}'`);
  });
});

describe('fieldReferences and requiredInputs', () => {
  const source =
    'present(a) and count(b) > 0 and coalesce(c, d) + abs(e - previous.f) > min(g, round(h, 1))';

  it('fieldReferences names every field in order, with previous and column', () => {
    expect(fieldReferences(parseExpression(source))).toEqual([
      { key: 'a', previous: false, at: 8 },
      { key: 'b', previous: false, at: 21 },
      { key: 'c', previous: false, at: 41 },
      { key: 'd', previous: false, at: 44 },
      { key: 'e', previous: false, at: 53 },
      { key: 'f', previous: true, at: 57 },
      { key: 'g', previous: false, at: 75 },
      { key: 'h', previous: false, at: 84 },
    ]);
  });

  it('requiredInputs leaves out present/count arguments and the first argument of coalesce', () => {
    expect(requiredInputs(parseExpression(source)).map((reference) => reference.key)).toEqual([
      'd',
      'e',
      'f',
      'g',
      'h',
    ]);
    expect(requiredInputs(parseExpression('coalesce(a, coalesce(b, c))'))).toEqual([
      { key: 'c', previous: false, at: 24 },
    ]);
    expect(requiredInputs(parseExpression('not present(a)'))).toEqual([]);
    expect(requiredInputs(parseExpression('-a'))).toEqual([{ key: 'a', previous: false, at: 1 }]);
  });

  it('finds nothing in literals', () => {
    expect(fieldReferences(parseExpression("1 + 2 == 3 or 'x' == 'y'"))).toEqual([]);
  });
});

describe('evaluate', () => {
  it('reads current and previous values', () => {
    expect(run('a - previous.a', { a: 120 }, { a: 100 })).toBe(20);
  });

  it('is undecidable (undefined) when an input is missing or null', () => {
    expect(run('a + 1')).toBeUndefined();
    expect(run('a + 1', { a: null })).toBeUndefined();
    expect(run('a <= b', { a: 1 })).toBeUndefined();
    expect(run('-a')).toBeUndefined();
    expect(run('not a')).toBeUndefined();
    expect(run('abs(a)')).toBeUndefined();
    expect(run('min(a, 1)')).toBeUndefined();
    expect(run('previous.a > 0', { a: 1 })).toBeUndefined();
  });

  it('is undecidable on division by zero', () => {
    expect(run('a / b', { a: 1, b: 0 })).toBeUndefined();
    expect(run('0 / 0')).toBeUndefined();
    expect(run('a / b <= 10', { a: 1, b: 0 })).toBeUndefined();
    expect(run('a / b', { a: 1, b: 4 })).toBe(0.25);
  });

  it('does not compute with non-numbers', () => {
    expect(run('a + 1', { a: 'x' })).toBeUndefined();
    expect(run('a < 1', { a: true })).toBeUndefined();
    expect(run('abs(a)', { a: '3' })).toBeUndefined();
  });

  it('short-circuits and/or on a decided left side', () => {
    expect(run('false and missing > 1')).toBe(false);
    expect(run('true or missing > 1')).toBe(true);
    expect(run('true and missing > 1')).toBeUndefined();
    expect(run('false or missing > 1')).toBeUndefined();
    expect(run('1 < 2 and 3 < 4')).toBe(true);
    expect(run('1 > 2 or 3 > 4')).toBe(false);
  });

  it('compares strings and booleans strictly', () => {
    expect(run("grade == 'grade1'", { grade: 'grade1' })).toBe(true);
    expect(run("grade != 'grade1'", { grade: 'grade2' })).toBe(true);
    expect(run('flag == true', { flag: false })).toBe(false);
    expect(run("a == '1'", { a: 1 })).toBe(false);
    expect(run('not flag', { flag: false })).toBe(true);
  });

  it('computes abs, min, max and round', () => {
    expect(run('abs(a)', { a: -3.5 })).toBe(3.5);
    expect(run('min(a, b, 7)', { a: 4, b: -2 })).toBe(-2);
    expect(run('max(a, b, 7)', { a: 4, b: -2 })).toBe(7);
    expect(run('round(2.5)')).toBe(3);
    expect(run('round(a, 2)', { a: 1234.5678 })).toBe(1234.57);
    expect(run('round(a, 1)', { a: 0.04 })).toBe(0);
  });

  it('present: any value but missing, null, empty text and the empty list', () => {
    expect(run('present(a)', { a: 0 })).toBe(true);
    expect(run('present(a)', { a: false })).toBe(true);
    expect(run('present(a)', { a: ['x'] })).toBe(true);
    expect(run('present(a)', { a: '' })).toBe(false);
    expect(run('present(a)', { a: [] })).toBe(false);
    expect(run('present(a)', { a: null })).toBe(false);
    expect(run('present(a)')).toBe(false);
  });

  it('count: list length, 1 for a present scalar, 0 when missing', () => {
    expect(run('count(a)', { a: ['x', 'y', 'z'] })).toBe(3);
    expect(run('count(a)', { a: [] })).toBe(0);
    expect(run('count(a)', { a: 'text' })).toBe(1);
    expect(run('count(a)', { a: '' })).toBe(0);
    expect(run('count(a)')).toBe(0);
    expect(run('count(a) == 0 or present(b)', {})).toBe(true);
  });

  it('coalesce: the value when present, else the fallback', () => {
    expect(run('coalesce(a, 0)', { a: 5 })).toBe(5);
    expect(run('coalesce(a, 0)', { a: 0 })).toBe(0);
    expect(run('coalesce(a, 0)')).toBe(0);
    expect(run("coalesce(a, 'none')", { a: '' })).toBe('none');
    expect(run('coalesce(a, b)')).toBeUndefined();
    expect(run('a + coalesce(b, 0) == c', { a: 5, c: 5 })).toBe(true);
  });
});

describe('evaluate: properties', () => {
  const integer = fc.integer({ min: -1_000_000, max: 1_000_000 });

  it('agrees with JavaScript arithmetic for a + b * c - a / (c + 1000001)', () => {
    const expression = parseExpression('a + b * c - a / (c + 1000001)');
    const literal = (value: number) => (value < 0 ? `(0 - ${-value})` : String(value));
    fc.assert(
      fc.property(integer, integer, integer, (a, b, c) => {
        const expected = a + b * c - a / (c + 1000001);
        expect(evaluate(expression, scopeOf({ a, b, c }))).toBe(expected);
        const inlined = `${literal(a)} + ${literal(b)} * ${literal(c)} - ${literal(a)} / (${literal(c)} + 1000001)`;
        expect(run(inlined)).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('agrees with JavaScript on comparisons of sums', () => {
    const expression = parseExpression('a - b - c <= abs(c) * 2 or -a > max(b, c)');
    fc.assert(
      fc.property(integer, integer, integer, (a, b, c) => {
        expect(evaluate(expression, scopeOf({ a, b, c }))).toBe(
          a - b - c <= Math.abs(c) * 2 || -a > Math.max(b, c),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('throws nothing but ExpressionSyntaxError on garbage', () => {
    const pieces = fc.constantFrom(
      ...'abc previous . ( ) , + - * / < > = ! & not and or true false 1 2.5 \' " min abs round present count coalesce 总 \t'.split(
        ' ',
      ),
      ' ',
    );
    const garbage = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.array(pieces, { maxLength: 30 }).map((parts) => parts.join('')),
      fc.array(pieces, { maxLength: 30 }).map((parts) => parts.join(' ')),
    );
    fc.assert(
      fc.property(garbage, (source) => {
        try {
          parseExpression(source);
        } catch (error) {
          if (!(error instanceof ExpressionSyntaxError)) throw error;
          expect(error.at).toBeGreaterThanOrEqual(0);
          expect(error.at).toBeLessThanOrEqual(source.length);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
