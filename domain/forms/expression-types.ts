/**
 * Static types of the rule language (domain/forms/expression.ts), so the forms checker refuses
 * at build time what the interpreter would silently get wrong: arithmetic or an ordering on a
 * yes/no value is undecidable (the rule is always skipped), values of different types are never
 * equal (the rule is always violated), and a condition that is a number is never `true`.
 */
import type { FieldType } from './definition.js';
import type { Expression } from './expression.js';

export type ValueType = 'number' | 'string' | 'bool' | 'choice' | 'date' | 'list' | 'unknown';

/** What a key names: a field of that type, a derived indicator, or nothing (reported elsewhere). */
export type KeyKind = FieldType | 'derived' | undefined;

export interface TypeProblem {
  message: string;
  /** Offset in the source of the sub-expression at fault. */
  at: number;
}

const KEY_TYPES: Record<Exclude<KeyKind, undefined>, ValueType> = {
  int: 'number',
  decimal: 'number',
  money: 'number',
  derived: 'number',
  bool: 'bool',
  choice: 'choice',
  text: 'string',
  date: 'date',
  multi: 'list',
  group: 'list',
};

/** Keys an expression may compute with; the others only inside present() and count(). */
const COMPUTABLE = new Set<KeyKind>(['int', 'decimal', 'money', 'derived', 'bool', 'choice']);

const DESCRIPTIONS: Record<Exclude<ValueType, 'unknown'>, string> = {
  number: 'a number',
  string: 'text',
  bool: 'a yes/no value',
  choice: 'a choice',
  date: 'a date',
  list: 'a list',
};

const describeType = (type: ValueType) => (type === 'unknown' ? 'unknown' : DESCRIPTIONS[type]);

/**
 * The type of two values that may stand for each other (in == / != and coalesce()), or
 * `undefined` when they never can: a choice is compared with its codes, a date with its
 * `'YYYY-MM-DD'` text; an unknown type agrees with anything, as its cause is reported elsewhere.
 */
const unifyTypes = (a: ValueType, b: ValueType): ValueType | undefined => {
  if (a === 'unknown' || a === b) return b;
  if (b === 'unknown') return a;
  for (const special of ['choice', 'date'] as const) {
    if ((a === special && b === 'string') || (a === 'string' && b === special)) return special;
  }
  return undefined;
};

/** An expression as text again, for messages; nested operations in parentheses. */
const expressionText = (expression: Expression): string => {
  const nested = (operand: Expression) =>
    operand.kind === 'binary' ? `(${expressionText(operand)})` : expressionText(operand);
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
      return `${expression.operator === 'not' ? 'not ' : '-'}${nested(expression.operand)}`;
    case 'binary':
      return `${nested(expression.left)} ${expression.operator} ${nested(expression.right)}`;
    case 'call':
      return `${expression.name}(${expression.args.map(expressionText).join(', ')})`;
  }
};

/** A field as `"key"`, a literal as written, anything else as its text in backticks. */
const describe = (expression: Expression) => {
  if (expression.kind === 'field') return `"${expressionText(expression)}"`;
  if (expression.kind === 'binary' || expression.kind === 'unary' || expression.kind === 'call')
    return `\`${expressionText(expression)}\``;
  return expressionText(expression);
};

/** E.g. `"room" is a yes/no value`. */
const typed = (expression: Expression, type: ValueType) =>
  `${describe(expression)} is ${describeType(type)}`;

/** Where an expression starts: a binary operation at its left operand, not its operator. */
const startOf = (expression: Expression): number =>
  expression.kind === 'binary' ? startOf(expression.left) : expression.at;

const ARITHMETIC = new Set(['+', '-', '*', '/']);
const ORDERING = new Set(['<', '<=', '>', '>=']);

/**
 * The problems of an expression's types: operands of arithmetic, orderings and numeric
 * functions that are not numbers, of and / or / not that are not yes/no values, == / != and
 * coalesce() between values of different types, a text, date, multi or group field outside
 * present() and count(), and a result other than `expected` (a condition must be yes/no, a
 * derived indicator a number). `kindOf` tells what a key names; `previous.<key>` has the type
 * of `<key>`.
 */
export const checkExpressionTypes = (
  expression: Expression,
  kindOf: (key: string) => KeyKind,
  expected: 'bool' | 'number',
): TypeProblem[] => {
  const problems: TypeProblem[] = [];

  const requireType = (
    operand: Expression,
    type: ValueType,
    wanted: 'number' | 'bool',
    what: string,
  ) => {
    if (type === 'unknown' || type === wanted) return;
    problems.push({
      message: `${typed(operand, type)}, but ${what} needs ${
        wanted === 'number' ? 'numbers' : 'yes/no values'
      }`,
      at: startOf(operand),
    });
  };

  /** `lenient` inside present() and count(), which take a value of any type. */
  const infer = (node: Expression, lenient: boolean): ValueType => {
    switch (node.kind) {
      case 'number':
        return 'number';
      case 'string':
        return 'string';
      case 'boolean':
        return 'bool';
      case 'field': {
        const kind = kindOf(node.key);
        if (kind === undefined) return 'unknown';
        if (!lenient && !COMPUTABLE.has(kind)) {
          problems.push({
            message: `"${node.key}" is a ${kind} field; use it only inside present() or count()`,
            at: node.at,
          });
          return 'unknown';
        }
        return KEY_TYPES[kind];
      }
      case 'unary': {
        const wanted = node.operator === '-' ? 'number' : 'bool';
        requireType(node.operand, infer(node.operand, lenient), wanted, node.operator);
        return wanted;
      }
      case 'binary': {
        const { operator, left, right } = node;
        const leftType = infer(left, lenient);
        const rightType = infer(right, lenient);
        if (operator === '==' || operator === '!=') {
          if (unifyTypes(leftType, rightType) === undefined) {
            problems.push({
              message: `${typed(left, leftType)} and ${typed(right, rightType)}: they are never equal, so ${operator} is always ${operator === '==' ? 'false' : 'true'}`,
              at: node.at,
            });
          }
          return 'bool';
        }
        const wanted = ARITHMETIC.has(operator) || ORDERING.has(operator) ? 'number' : 'bool';
        requireType(left, leftType, wanted, operator);
        requireType(right, rightType, wanted, operator);
        return ARITHMETIC.has(operator) ? 'number' : 'bool';
      }
      case 'call': {
        if (node.name === 'present' || node.name === 'count') {
          for (const argument of node.args) infer(argument, true);
          return node.name === 'present' ? 'bool' : 'number';
        }
        const types = node.args.map((argument) => infer(argument, lenient));
        if (node.name === 'coalesce') {
          const [value, fallback] = node.args;
          const [valueType = 'unknown', fallbackType = 'unknown'] = types;
          const type = unifyTypes(valueType, fallbackType);
          if (type === undefined && value && fallback) {
            problems.push({
              message: `coalesce() needs arguments of one type, but ${typed(value, valueType)} and ${typed(fallback, fallbackType)}`,
              at: node.at,
            });
          }
          return type ?? 'unknown';
        }
        node.args.forEach((argument, index) => {
          requireType(argument, types[index] ?? 'unknown', 'number', `${node.name}()`);
        });
        return 'number';
      }
    }
  };

  const type = infer(expression, false);
  if (type !== 'unknown' && type !== expected) {
    problems.push({
      message: `must be ${expected === 'bool' ? 'a yes/no condition' : 'a number'}, but ${typed(expression, type)}`,
      at: startOf(expression),
    });
  }
  return problems;
};
