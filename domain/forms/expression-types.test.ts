import { describe, expect, it } from '@jest/globals';
import type { BinaryOperator } from './expression.js';
import { evaluate, parseExpression, type Value } from './expression.js';
import { checkExpressionTypes, type KeyKind } from './expression-types.js';
import { countyAnnualReport } from './fixtures.js';

const KINDS: Record<string, KeyKind> = {
  seats: 'int',
  area: 'decimal',
  funds: 'money',
  room: 'bool',
  grade: 'choice',
  level: 'choice',
  issues: 'multi',
  notes: 'text',
  day: 'date',
  events: 'group',
  share: 'derived',
};

const kindOf = (key: string) => KINDS[key];

const problemsOf = (source: string, expected: 'bool' | 'number' = 'bool') =>
  checkExpressionTypes(parseExpression(source), kindOf, expected);

describe('checkExpressionTypes', () => {
  it.each([
    'seats + area * 2 - funds / 3 >= 0',
    'abs(seats - previous.seats) <= 0.2 * previous.seats',
    'room == true and not room or seats != 0',
    "grade == 'a' or 'b' != grade or grade == level or grade == previous.grade",
    'min(seats, area, 3) < max(funds, round(area, 1))',
    "coalesce(seats, 0) > 0 and coalesce(room, false) and coalesce(grade, 'a') == 'b'",
    'count(issues) == 0 or present(notes) or count(events) > 1 or present(day)',
    "present(day == '2025-01-01') and present(notes == 'x')",
    'share > 0.5',
    'ghost + 1 > 0 and ghost and ghost == seats',
  ])('accepts the well-typed condition %s', (source) => {
    expect(problemsOf(source)).toEqual([]);
  });

  it.each(['seats / area', 'round(seats * 100 / funds, 1)', 'count(issues)', '-seats'])(
    'accepts the number %s',
    (source) => {
      expect(problemsOf(source, 'number')).toEqual([]);
    },
  );

  it('accepts every rule, condition and formula of the real form, which it types', () => {
    const form = countyAnnualReport();
    const fields = new Map(
      form.sections.flatMap((section) => section.fields).map((field) => [field.key, field.type]),
    );
    const realKindOf = (key: string) => fields.get(key);
    const conditions = [
      ...form.rules.map((rule) => rule.check),
      ...form.sections
        .flatMap((section) => section.fields)
        .flatMap((field) => [field.showWhen, field.requiredWhen])
        .filter((source) => source !== undefined),
    ];
    expect(conditions.length).toBeGreaterThan(10);
    for (const source of conditions)
      expect(checkExpressionTypes(parseExpression(source), realKindOf, 'bool')).toEqual([]);
    for (const indicator of form.derived)
      expect(
        checkExpressionTypes(parseExpression(indicator.formula), realKindOf, 'number'),
      ).toEqual([]);
  });

  describe('arithmetic and orderings need numbers', () => {
    it.each([
      ['room > 0', '"room" is a yes/no value, but > needs numbers', 0],
      ['room + seats > 0', '"room" is a yes/no value, but + needs numbers', 0],
      ['seats - previous.room > 0', '"previous.room" is a yes/no value, but - needs numbers', 8],
      ['grade < 2', '"grade" is a choice, but < needs numbers', 0],
      ["seats * 'x' > 0", "'x' is text, but * needs numbers", 8],
      ['(seats > 1) + 1 > 0', '`seats > 1` is a yes/no value, but + needs numbers', 1],
      ['-room < 0', '"room" is a yes/no value, but - needs numbers', 1],
      ['abs(room) > 0', '"room" is a yes/no value, but abs() needs numbers', 4],
      ['round(seats, room) > 0', '"room" is a yes/no value, but round() needs numbers', 13],
      ["max(seats, 'x') > 0", "'x' is text, but max() needs numbers", 11],
    ])('%s', (source, message, at) => {
      expect(problemsOf(source)).toEqual([{ message, at }]);
    });
  });

  describe('== and != need values of one type', () => {
    it.each([
      ['room == 1', '"room" is a yes/no value and 1 is a number', '==', 'false', 5],
      ["seats == 'many'", '"seats" is a number and \'many\' is text', '==', 'false', 6],
      ["seats != 'many'", '"seats" is a number and \'many\' is text', '!=', 'true', 6],
      ['grade == 1', '"grade" is a choice and 1 is a number', '==', 'false', 6],
      ['share == true', '"share" is a number and true is a yes/no value', '==', 'false', 6],
      [
        'seats + 1 == room',
        '`seats + 1` is a number and "room" is a yes/no value',
        '==',
        'false',
        10,
      ],
      ['present(issues == 1)', '"issues" is a list and 1 is a number', '==', 'false', 15],
    ])('%s', (source, types, operator, always, at) => {
      expect(problemsOf(source)).toEqual([
        { message: `${types}: they are never equal, so ${operator} is always ${always}`, at },
      ]);
    });
  });

  it('and, or and not need yes/no values', () => {
    expect(problemsOf('seats and room')).toEqual([
      { message: '"seats" is a number, but and needs yes/no values', at: 0 },
    ]);
    expect(problemsOf("room or 'x'")).toEqual([
      { message: "'x' is text, but or needs yes/no values", at: 8 },
    ]);
    expect(problemsOf('not seats')).toEqual([
      { message: '"seats" is a number, but not needs yes/no values', at: 4 },
    ]);
  });

  it('coalesce() needs arguments of one type', () => {
    expect(problemsOf('coalesce(seats, room) > 0')).toEqual([
      {
        message:
          'coalesce() needs arguments of one type, but "seats" is a number and "room" is a yes/no value',
        at: 0,
      },
    ]);
  });

  it('a condition must be yes/no and a formula a number', () => {
    expect(problemsOf('seats')).toEqual([
      { message: 'must be a yes/no condition, but "seats" is a number', at: 0 },
    ]);
    expect(problemsOf('coalesce(grade, level)')).toEqual([
      { message: 'must be a yes/no condition, but `coalesce(grade, level)` is a choice', at: 0 },
    ]);
    expect(problemsOf('seats > 3', 'number')).toEqual([
      { message: 'must be a number, but `seats > 3` is a yes/no value', at: 0 },
    ]);
  });

  it('refuses text, date, multi and group fields outside present() and count(), once', () => {
    expect(problemsOf("notes == 'x' and day == '2025-01-01'")).toEqual([
      { message: '"notes" is a text field; use it only inside present() or count()', at: 0 },
      { message: '"day" is a date field; use it only inside present() or count()', at: 17 },
    ]);
    expect(problemsOf('coalesce(issues, 0) > events')).toEqual([
      { message: '"issues" is a multi field; use it only inside present() or count()', at: 9 },
      { message: '"events" is a group field; use it only inside present() or count()', at: 22 },
    ]);
  });

  /**
   * The checker against the interpreter, over every operator between values of every type:
   * what it accepts evaluates to a value of the inferred type, and what it refuses is
   * undecidable (the rule always skipped) or a comparison that is constant.
   */
  describe('agrees with the interpreter', () => {
    const values: Record<string, Value> = { seats: 3, room: true, grade: 'a' };
    const operands = ['seats', 'room', 'grade', '2', "'a'", 'false'];
    const operators: BinaryOperator[] = [
      '+',
      '-',
      '*',
      '/',
      '<',
      '<=',
      '>',
      '>=',
      '==',
      '!=',
      'and',
      'or',
    ];
    const cases = operators.flatMap((operator) =>
      operands.flatMap((left) => operands.map((right) => ({ operator, left, right }))),
    );

    it.each(cases)('$left $operator $right', ({ operator, left, right }) => {
      const source = `${left} ${operator} ${right}`;
      const expression = parseExpression(source);
      const arithmetic = ['+', '-', '*', '/'].includes(operator);
      const problems = checkExpressionTypes(expression, kindOf, arithmetic ? 'number' : 'bool');
      const value = evaluate(expression, {
        current: (key) => values[key],
        previous: () => undefined,
      });
      if (problems.length === 0) {
        expect(typeof value).toBe(arithmetic ? 'number' : 'boolean');
      } else if (operator === '==' || operator === '!=') {
        expect(value).toBe(operator === '!=');
      } else if (operator !== 'and' && operator !== 'or') {
        expect(value).toBeUndefined();
      }
    });
  });
});
