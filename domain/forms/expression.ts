/**
 * The small expression language of form rules, conditions and derived indicators, e.g.
 * `staffEstablished + staffOther == staffTotal` or
 * `abs(holdingsTotal - previous.holdingsTotal) <= 0.2 * previous.holdingsTotal`.
 * Parsed into an AST by a hand-written Pratt parser and interpreted: definition text is never
 * handed to `eval` or `new Function`.
 */

export type Expression =
  | { kind: 'number'; value: number; at: number }
  | { kind: 'string'; value: string; at: number }
  | { kind: 'boolean'; value: boolean; at: number }
  | { kind: 'field'; key: string; previous: boolean; at: number }
  | { kind: 'unary'; operator: '-' | 'not'; operand: Expression; at: number }
  | { kind: 'binary'; operator: BinaryOperator; left: Expression; right: Expression; at: number }
  | { kind: 'call'; name: FunctionName; args: Expression[]; at: number };

export type BinaryOperator =
  | 'or'
  | 'and'
  | '=='
  | '!='
  | '<'
  | '<='
  | '>'
  | '>='
  | '+'
  | '-'
  | '*'
  | '/';

/**
 * `present` and `count` look at a value's presence and `coalesce(x, fallback)` replaces a
 * missing value, so a missing first argument never makes them undecidable.
 */
export const FUNCTIONS = {
  coalesce: { arity: [2, 2] },
  abs: { arity: [1, 1] },
  min: { arity: [2, 8] },
  max: { arity: [2, 8] },
  round: { arity: [1, 2] },
  present: { arity: [1, 1] },
  count: { arity: [1, 1] },
} as const;
export type FunctionName = keyof typeof FUNCTIONS;
const isFunctionName = (name: string): name is FunctionName => Object.hasOwn(FUNCTIONS, name);

export class ExpressionSyntaxError extends Error {
  constructor(
    message: string,
    readonly source: string,
    readonly at: number,
  ) {
    super(`${message} at column ${at + 1} of \`${source}\``);
    this.name = 'ExpressionSyntaxError';
  }
}

interface Token {
  type: 'number' | 'string' | 'name' | 'operator' | 'end';
  text: string;
  at: number;
}

const TOKEN =
  /\s*(?:(\d+(?:\.\d+)?)|'([^'\\]*)'|([A-Za-z_][A-Za-z0-9_]*)|(<=|>=|==|!=|[-+*/<>().,]))/y;

const tokenize = (source: string): Token[] => {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  let position = 0;
  while (position < source.length) {
    if (/^\s*$/.test(source.slice(position))) break;
    TOKEN.lastIndex = position;
    const match = TOKEN.exec(source);
    if (!match) {
      const at =
        position + (source.slice(position).length - source.slice(position).trimStart().length);
      throw new ExpressionSyntaxError(`Unexpected character '${source[at]}'`, source, at);
    }
    const at = match.index + match[0].length - match[0].trimStart().length;
    if (match[1] !== undefined) tokens.push({ type: 'number', text: match[1], at });
    else if (match[2] !== undefined) tokens.push({ type: 'string', text: match[2], at });
    else if (match[3] !== undefined) tokens.push({ type: 'name', text: match[3], at });
    else tokens.push({ type: 'operator', text: match[4] ?? '', at });
    position = TOKEN.lastIndex;
  }
  tokens.push({ type: 'end', text: '', at: source.length });
  return tokens;
};

const BINARY_PRECEDENCE: Record<BinaryOperator, number> = {
  or: 1,
  and: 2,
  '==': 4,
  '!=': 4,
  '<': 4,
  '<=': 4,
  '>': 4,
  '>=': 4,
  '+': 5,
  '-': 5,
  '*': 6,
  '/': 6,
};
const NOT_PRECEDENCE = 3;
const isBinaryOperator = (text: string): text is BinaryOperator =>
  Object.hasOwn(BINARY_PRECEDENCE, text);
const isComparison = (operator: BinaryOperator) => BINARY_PRECEDENCE[operator] === 4;

export const parseExpression = (source: string): Expression => {
  const tokens = tokenize(source);
  let index = 0;
  const peek = (): Token => tokens[index] ?? { type: 'end', text: '', at: source.length };
  const next = (): Token => {
    const token = peek();
    index += 1;
    return token;
  };
  const expect = (text: string) => {
    const token = next();
    if (token.text !== text) {
      throw new ExpressionSyntaxError(
        `Expected '${text}' but found '${token.text || 'end'}'`,
        source,
        token.at,
      );
    }
  };

  const parsePrimary = (): Expression => {
    const token = next();
    if (token.type === 'number') return { kind: 'number', value: Number(token.text), at: token.at };
    if (token.type === 'string') return { kind: 'string', value: token.text, at: token.at };
    if (token.type === 'operator' && token.text === '(') {
      const inner = parseBinary(0);
      expect(')');
      return inner;
    }
    if (token.type === 'operator' && token.text === '-') {
      return { kind: 'unary', operator: '-', operand: parseBinary(7), at: token.at };
    }
    if (token.type === 'name') {
      if (token.text === 'true' || token.text === 'false') {
        return { kind: 'boolean', value: token.text === 'true', at: token.at };
      }
      if (token.text === 'not') {
        return {
          kind: 'unary',
          operator: 'not',
          operand: parseBinary(NOT_PRECEDENCE),
          at: token.at,
        };
      }
      if (peek().text === '(') {
        if (!isFunctionName(token.text)) {
          throw new ExpressionSyntaxError(`Unknown function '${token.text}'`, source, token.at);
        }
        next();
        const args: Expression[] = [];
        if (peek().text !== ')') {
          do args.push(parseBinary(0));
          while (peek().text === ',' && next());
        }
        expect(')');
        const [least, most] = FUNCTIONS[token.text].arity;
        if (args.length < least || args.length > most) {
          throw new ExpressionSyntaxError(
            `${token.text}() takes ${least === most ? least : `${least} to ${most}`} arguments`,
            source,
            token.at,
          );
        }
        return { kind: 'call', name: token.text, args, at: token.at };
      }
      if (token.text === 'previous' && peek().text === '.') {
        next();
        const key = next();
        if (key.type !== 'name') {
          throw new ExpressionSyntaxError('Expected a field key after previous.', source, key.at);
        }
        return { kind: 'field', key: key.text, previous: true, at: token.at };
      }
      return { kind: 'field', key: token.text, previous: false, at: token.at };
    }
    throw new ExpressionSyntaxError(`Unexpected '${token.text || 'end'}'`, source, token.at);
  };

  const parseBinary = (minimum: number): Expression => {
    let left = parsePrimary();
    for (;;) {
      const token = peek();
      const operator = token.text;
      if (!(token.type === 'operator' || token.type === 'name') || !isBinaryOperator(operator))
        break;
      const precedence = BINARY_PRECEDENCE[operator];
      if (precedence <= minimum) break;
      next();
      const right = parseBinary(precedence);
      // Comparisons are left-associative here, so `a < b < c` arrives with `a < b` on the left.
      const chained = [left, right].some(
        (operand) => operand.kind === 'binary' && isComparison(operand.operator),
      );
      if (isComparison(operator) && chained) {
        throw new ExpressionSyntaxError('Comparisons cannot be chained', source, token.at);
      }
      left = { kind: 'binary', operator, left, right, at: token.at };
    }
    return left;
  };

  const expression = parseBinary(0);
  const rest = peek();
  if (rest.type !== 'end') {
    throw new ExpressionSyntaxError(`Unexpected '${rest.text}'`, source, rest.at);
  }
  return expression;
};

export interface FieldReference {
  key: string;
  previous: boolean;
  at: number;
}

/** Every field the expression names, in order of appearance. */
export const fieldReferences = (expression: Expression): FieldReference[] => {
  switch (expression.kind) {
    case 'field':
      return [{ key: expression.key, previous: expression.previous, at: expression.at }];
    case 'unary':
      return fieldReferences(expression.operand);
    case 'binary':
      return [...fieldReferences(expression.left), ...fieldReferences(expression.right)];
    case 'call':
      return expression.args.flatMap(fieldReferences);
    default:
      return [];
  }
};

/**
 * The fields whose values the expression needs. A missing one makes the expression
 * undecidable (a rule is skipped); fields seen only through present()/count() do not count.
 */
export const requiredInputs = (expression: Expression): FieldReference[] => {
  switch (expression.kind) {
    case 'field':
      return [{ key: expression.key, previous: expression.previous, at: expression.at }];
    case 'unary':
      return requiredInputs(expression.operand);
    case 'binary':
      return [...requiredInputs(expression.left), ...requiredInputs(expression.right)];
    case 'call':
      if (expression.name === 'present' || expression.name === 'count') return [];
      if (expression.name === 'coalesce') return expression.args.slice(1).flatMap(requiredInputs);
      return expression.args.flatMap(requiredInputs);
    default:
      return [];
  }
};

export type Value = number | string | boolean | readonly unknown[] | null | undefined;

export interface Scope {
  current: (key: string) => Value;
  previous: (key: string) => Value;
}

/** Whether a value counts as filled in: not missing, not empty text, not an empty list. */
export const isPresent = (value: unknown) =>
  value !== undefined &&
  value !== null &&
  value !== '' &&
  !(Array.isArray(value) && value.length === 0);

/** Evaluates an expression; `undefined` means undecidable (a missing input, division by zero). */
export const evaluate = (expression: Expression, scope: Scope): Value => {
  switch (expression.kind) {
    case 'number':
    case 'string':
    case 'boolean':
      return expression.value;
    case 'field':
      return expression.previous ? scope.previous(expression.key) : scope.current(expression.key);
    case 'unary': {
      const operand = evaluate(expression.operand, scope);
      if (operand === undefined || operand === null) return undefined;
      return expression.operator === '-' ? -Number(operand) : !operand;
    }
    case 'call': {
      if (expression.name === 'present') {
        const [argument] = expression.args;
        return argument !== undefined && isPresent(evaluate(argument, scope));
      }
      if (expression.name === 'coalesce') {
        const [value, fallback] = expression.args.map((argument) => evaluate(argument, scope));
        return isPresent(value) ? value : fallback;
      }
      if (expression.name === 'count') {
        const [argument] = expression.args;
        const value = argument === undefined ? undefined : evaluate(argument, scope);
        return Array.isArray(value) ? value.length : isPresent(value) ? 1 : 0;
      }
      const args = expression.args.map((argument) => evaluate(argument, scope));
      if (args.some((value) => typeof value !== 'number')) return undefined;
      const numbers = args as number[];
      switch (expression.name) {
        case 'abs':
          return Math.abs(numbers[0] ?? 0);
        case 'min':
          return Math.min(...numbers);
        case 'max':
          return Math.max(...numbers);
        case 'round': {
          const factor = 10 ** (numbers[1] ?? 0);
          return Math.round((numbers[0] ?? 0) * factor) / factor;
        }
      }
      return undefined;
    }
    case 'binary': {
      const left = evaluate(expression.left, scope);
      if (expression.operator === 'and' && left === false) return false;
      if (expression.operator === 'or' && left === true) return true;
      const right = evaluate(expression.right, scope);
      if (left === undefined || left === null || right === undefined || right === null)
        return undefined;
      switch (expression.operator) {
        case 'and':
          return Boolean(left) && Boolean(right);
        case 'or':
          return Boolean(left) || Boolean(right);
        case '==':
          return left === right;
        case '!=':
          return left !== right;
      }
      if (typeof left !== 'number' || typeof right !== 'number') return undefined;
      switch (expression.operator) {
        case '<':
          return left < right;
        case '<=':
          return left <= right;
        case '>':
          return left > right;
        case '>=':
          return left >= right;
        case '+':
          return left + right;
        case '-':
          return left - right;
        case '*':
          return left * right;
        case '/':
          return right === 0 ? undefined : left / right;
      }
    }
  }
};
