/**
 * Compiles one form definition into what the rest of the system uses: the zod schemas of a
 * draft and of a final submission, the rule evaluator, and the derived indicators. The UI
 * model, CSV layout and rollup metrics are derived from the compiled form in their own
 * modules. Runs unchanged in Lambda and in the browser.
 */
import * as z from 'zod/mini';
import type { FieldError, LocalizedText } from '../errors.js';
import { issuesToFieldErrors, packMessage } from '../messages.js';
import { checkDefinition, DefinitionError } from './check.js';
import type {
  DerivedIndicator,
  FieldDefinition,
  FormDefinition,
  Rule,
  ScalarField,
} from './definition.js';
import {
  type Expression,
  evaluate,
  type FieldReference,
  fieldReferences,
  isPresent,
  parseExpression,
  requiredInputs,
  type Scope,
  type Value,
} from './expression.js';

/** A report's values by field key, as stored and as sent by the API. */
export type FormValues = Record<string, unknown>;

export interface CompiledExpression {
  source: string;
  ast: Expression;
  /** Fields whose values the expression needs; a missing one makes it undecidable. */
  inputs: FieldReference[];
}

export interface CompiledRule extends Rule {
  expression: CompiledExpression;
  /** Fields of this period the rule is about, for showing the message beside them. */
  fields: string[];
  /** Compares with the library's previous period. */
  yearOverYear: boolean;
}

export interface CompiledDerived extends DerivedIndicator {
  expression: CompiledExpression;
}

export interface RuleViolation {
  ruleId: string;
  severity: 'error' | 'warning';
  message: LocalizedText;
  fields: string[];
}

export interface ValidationReport {
  /** Type, bound, unknown-key and required problems, one per field path. */
  fieldErrors: FieldError[];
  /** Violated `error` rules: they block final submission. */
  ruleErrors: RuleViolation[];
  /** Violated `warning` rules: submission needs an explanation for each. */
  warnings: RuleViolation[];
  /** Rules not evaluated because an input is missing. */
  skippedRules: string[];
}

export interface CompiledForm {
  definition: FormDefinition;
  /** Top-level fields by key, in definition order. */
  fields: ReadonlyMap<string, FieldDefinition>;
  rules: readonly CompiledRule[];
  derived: readonly CompiledDerived[];
  showWhen: ReadonlyMap<string, CompiledExpression>;
  requiredWhen: ReadonlyMap<string, CompiledExpression>;
  draftSchema: z.ZodMiniType<FormValues>;
  finalSchema: z.ZodMiniType<FormValues>;
}

export const compileExpression = (source: string): CompiledExpression => {
  const ast = parseExpression(source);
  return { source, ast, inputs: requiredInputs(ast) };
};

const REQUIRED = { zh: '此项为必填项', en: 'This field is required' };

const typeMessage = (expected: LocalizedText) =>
  packMessage({ zh: `应为${expected.zh}`, en: `Must be ${expected.en}` });

const numberWithBounds = (
  field: { min: number; max?: number | undefined },
  ...more: z.core.$ZodCheck<number>[]
) => {
  const max = field.max ?? Number.MAX_SAFE_INTEGER;
  return z
    .number({
      error: (issue) =>
        issue.input === undefined
          ? packMessage(REQUIRED)
          : typeMessage({ zh: '数字', en: 'a number' }),
    })
    .check(
      z.minimum(
        field.min,
        packMessage({ zh: `不能小于 ${field.min}`, en: `Must be at least ${field.min}` }),
      ),
      z.maximum(max, packMessage({ zh: `不能大于 ${max}`, en: `Must be at most ${max}` })),
      ...more,
    );
};

const hasAtMostDecimals = (value: number, scale: number) => Number(value.toFixed(scale)) === value;

const choiceCodes = (field: { choices: { code: string }[] }) =>
  field.choices.map((choice) => choice.code) as [string, ...string[]];

const oneOfMessage = (codes: readonly string[]) =>
  packMessage({
    zh: `应为以下选项之一：${codes.join('、')}`,
    en: `Must be one of: ${codes.join(', ')}`,
  });

/** zod/mini rather than zod: the same checks at a fraction of the browser bundle's weight. */
const scalarSchema = (field: ScalarField): z.ZodMiniType => {
  switch (field.type) {
    case 'int':
    case 'money':
      return numberWithBounds(
        field,
        z.refine(
          (value: number) => Number.isInteger(value),
          packMessage(
            field.type === 'money'
              ? { zh: '金额应为整数元', en: 'Must be a whole number of yuan' }
              : { zh: '应为整数', en: 'Must be a whole number' },
          ),
        ),
      );
    case 'decimal':
      return numberWithBounds(
        field,
        z.refine(
          (value: number) => hasAtMostDecimals(value, field.scale),
          packMessage({
            zh: `最多 ${field.scale} 位小数`,
            en: `At most ${field.scale} decimal place${field.scale > 1 ? 's' : ''}`,
          }),
        ),
      );
    case 'bool':
      return z.boolean({
        error: (issue) =>
          issue.input === undefined
            ? packMessage(REQUIRED)
            : typeMessage({ zh: '是或否', en: 'true or false' }),
      });
    case 'choice': {
      const codes = choiceCodes(field);
      return z.enum(codes, {
        error: (issue) => (issue.input === undefined ? packMessage(REQUIRED) : oneOfMessage(codes)),
      });
    }
    case 'multi': {
      const codes = choiceCodes(field);
      return z
        .array(z.enum(codes, { error: oneOfMessage(codes) }), {
          error: (issue) =>
            issue.input === undefined
              ? packMessage(REQUIRED)
              : typeMessage({ zh: '选项列表', en: 'a list of choices' }),
        })
        .check(
          z.refine(
            (values: string[]) => new Set(values).size === values.length,
            packMessage({ zh: '选项不能重复', en: 'Choices must not repeat' }),
          ),
        );
    }
    case 'text':
      return z
        .string({
          error: (issue) =>
            issue.input === undefined
              ? packMessage(REQUIRED)
              : typeMessage({ zh: '文字', en: 'text' }),
        })
        .check(
          z.maxLength(
            field.maxLength,
            packMessage({
              zh: `不能超过 ${field.maxLength} 个字符`,
              en: `At most ${field.maxLength} characters`,
            }),
          ),
        );
    case 'date':
      return z.iso.date({
        error: (issue) =>
          issue.input === undefined
            ? packMessage(REQUIRED)
            : packMessage({ zh: '应为日期，格式 YYYY-MM-DD', en: 'Must be a date as YYYY-MM-DD' }),
      });
  }
};

type Mode = 'draft' | 'final';

const fieldSchema = (field: FieldDefinition, mode: Mode): z.ZodMiniType => {
  if (field.type !== 'group') return scalarSchema(field);
  const item = z.strictObject(
    Object.fromEntries(
      field.fields.map((sub) => {
        const schema = scalarSchema(sub);
        return [sub.key, mode === 'final' && sub.required ? schema : z.optional(schema)];
      }),
    ),
    { error: typeMessage({ zh: '一条记录', en: 'an entry' }) },
  );
  return z
    .array(item, {
      error: (issue) =>
        issue.input === undefined
          ? packMessage(REQUIRED)
          : typeMessage({ zh: '记录列表', en: 'a list of entries' }),
    })
    .check(
      z.maxLength(
        field.maxItems,
        packMessage({ zh: `最多 ${field.maxItems} 条`, en: `At most ${field.maxItems} entries` }),
      ),
    );
};

const isRecord = (value: unknown): value is FormValues =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const scopeOf = (values: FormValues, previous: FormValues | undefined): Scope => ({
  current: (key) => values[key] as Value,
  previous: (key) => previous?.[key] as Value,
});

/**
 * The fields their showWhen hides for these values: those whose condition is decidably false.
 * A hidden field counts as not answered: its value stays in the report (showing the field again
 * restores it) but is read as missing, by the conditions of other fields too, so a field whose
 * condition reads a hidden one is decided as if that one were blank. Each condition is evaluated
 * once. The checker refuses conditions that go round in a circle; should one get here, the field
 * being decided reads as shown, so it still ends.
 */
export const hiddenFields = (
  form: Pick<CompiledForm, 'showWhen'>,
  values: FormValues,
): ReadonlySet<string> => {
  const hidden = new Set<string>();
  if (form.showWhen.size === 0) return hidden;
  const decided = new Set<string>();
  const deciding = new Set<string>();
  const isHidden = (key: string): boolean => {
    if (decided.has(key)) return hidden.has(key);
    const condition = form.showWhen.get(key);
    if (condition === undefined || deciding.has(key)) return false;
    deciding.add(key);
    if (evaluate(condition.ast, scope) === false) hidden.add(key);
    deciding.delete(key);
    decided.add(key);
    return hidden.has(key);
  };
  const scope: Scope = {
    current: (key) => (isHidden(key) ? undefined : (values[key] as Value)),
    // The checker allows no previous.* in a condition.
    previous: () => undefined,
  };
  for (const key of form.showWhen.keys()) isHidden(key);
  return hidden;
};

/** The values without those of hidden fields: what validation, rules and indicators read. */
export const answeredValues = (
  form: Pick<CompiledForm, 'showWhen'>,
  values: FormValues,
): FormValues => withoutFields(values, hiddenFields(form, values));

const withoutFields = (values: FormValues, left: ReadonlySet<string>): FormValues =>
  left.size === 0
    ? values
    : Object.fromEntries(Object.entries(values).filter(([key]) => !left.has(key)));

/**
 * `keys` with every field whose value decides whether one of them is shown, through the
 * conditions of those in turn: what a caller must read of a report to tell which of `keys`
 * are answered.
 */
export const withShowWhenInputs = (
  form: Pick<CompiledForm, 'showWhen'>,
  keys: readonly string[],
): string[] => {
  const result = new Set(keys);
  for (const key of result) {
    const condition = form.showWhen.get(key);
    if (condition === undefined) continue;
    for (const reference of fieldReferences(condition.ast)) result.add(reference.key);
  }
  return [...result];
};

const buildSchema = (
  form: Omit<CompiledForm, 'draftSchema' | 'finalSchema'>,
  mode: Mode,
): z.ZodMiniType<FormValues> => {
  const shape = Object.fromEntries(
    [...form.fields.values()].map((field) => {
      const schema = fieldSchema(field, mode);
      // A conditional field's requiredness depends on other values: checked below.
      const enforcedHere = mode === 'final' && field.required && !form.showWhen.has(field.key);
      return [field.key, enforcedHere ? schema : z.optional(schema)];
    }),
  );
  const object = z.strictObject(shape, { error: typeMessage({ zh: '对象', en: 'an object' }) });
  if (mode === 'draft') return object as z.ZodMiniType<FormValues>;
  const requiredWhenVisible = z.superRefine(
    (values: FormValues, context) => {
      // A hidden field is never required, and a condition reads it as blank.
      const hidden = hiddenFields(form, values);
      const scope = scopeOf(withoutFields(values, hidden), undefined);
      for (const field of form.fields.values()) {
        if (isPresent(values[field.key]) || hidden.has(field.key)) continue;
        const condition = form.requiredWhen.get(field.key);
        const required =
          (field.required && form.showWhen.has(field.key)) ||
          (condition !== undefined && evaluate(condition.ast, scope) === true);
        if (required)
          context.addIssue({ code: 'custom', path: [field.key], message: packMessage(REQUIRED) });
      }
    },
    // zod skips refinements after any other issue; run whenever the input is an object, so
    // conditionally required fields are reported together with every other problem.
    { when: (payload) => isRecord(payload.value) },
  );
  return object.check(requiredWhenVisible) as z.ZodMiniType<FormValues>;
};

/** Compiles a definition; a definition with problems throws DefinitionError listing them. */
export const compileForm = (definition: FormDefinition): CompiledForm => {
  const problems = checkDefinition(definition);
  if (problems.length > 0)
    throw new DefinitionError(definition.formId, definition.version, problems);

  const fields = new Map<string, FieldDefinition>();
  for (const section of definition.sections)
    for (const field of section.fields) fields.set(field.key, field);

  const conditions = (pick: 'showWhen' | 'requiredWhen') =>
    new Map(
      [...fields.values()].flatMap((field) => {
        const source = field[pick];
        return source === undefined ? [] : [[field.key, compileExpression(source)] as const];
      }),
    );

  const rules = definition.rules.map((rule): CompiledRule => {
    const expression = compileExpression(rule.check);
    const current = expression.inputs.filter((reference) => !reference.previous).map((r) => r.key);
    const named = [...new Set([...current, ...fieldNames(expression.ast)])];
    return {
      ...rule,
      expression,
      fields: named,
      yearOverYear: expression.inputs.some((reference) => reference.previous),
    };
  });

  const partial = {
    definition,
    fields,
    rules,
    derived: definition.derived.map((indicator) => ({
      ...indicator,
      expression: compileExpression(indicator.formula),
    })),
    showWhen: conditions('showWhen'),
    requiredWhen: conditions('requiredWhen'),
  };
  return {
    ...partial,
    draftSchema: buildSchema(partial, 'draft'),
    finalSchema: buildSchema(partial, 'final'),
  };
};

/** Current-period fields named anywhere in an expression (including inside present/count). */
const fieldNames = (expression: Expression): string[] => {
  switch (expression.kind) {
    case 'field':
      return expression.previous ? [] : [expression.key];
    case 'unary':
      return fieldNames(expression.operand);
    case 'binary':
      return [...fieldNames(expression.left), ...fieldNames(expression.right)];
    case 'call':
      return expression.args.flatMap(fieldNames);
    default:
      return [];
  }
};

type RuleReport = Pick<ValidationReport, 'ruleErrors' | 'warnings' | 'skippedRules'>;

/**
 * Evaluates every rule; a rule with a missing input is skipped, as the dictionary says. A hidden
 * field counts as missing. `previous` is the previous period's report as its own version reads
 * it (its hidden fields already left out, in this version's keys): the caller knows that
 * version, this form may not be it.
 */
export const evaluateRules = (
  form: CompiledForm,
  values: FormValues,
  previous?: FormValues,
  /** Fields whose values failed their own checks: rules naming them are skipped. */
  invalid: ReadonlySet<string> = new Set(),
): RuleReport => rulesOver(form, answeredValues(form, values), previous, invalid);

/** The rules over values already without hidden fields. */
const rulesOver = (
  form: CompiledForm,
  values: FormValues,
  previous: FormValues | undefined,
  invalid: ReadonlySet<string>,
): RuleReport => {
  const scope = scopeOf(values, previous);
  const report: RuleReport = {
    ruleErrors: [],
    warnings: [],
    skippedRules: [],
  };
  for (const rule of form.rules) {
    const missing =
      rule.fields.some((key) => invalid.has(key)) ||
      rule.expression.inputs.some((input) =>
        input.previous ? !isPresent(previous?.[input.key]) : !isPresent(values[input.key]),
      );
    const outcome = missing ? undefined : evaluate(rule.expression.ast, scope);
    if (outcome === undefined || outcome === null) {
      report.skippedRules.push(rule.id);
      continue;
    }
    if (outcome === true) continue;
    const violation: RuleViolation = {
      ruleId: rule.id,
      severity: rule.severity,
      message: rule.message,
      fields: rule.fields,
    };
    (rule.severity === 'error' ? report.ruleErrors : report.warnings).push(violation);
  }
  return report;
};

const validate = (
  form: CompiledForm,
  schema: z.ZodMiniType<FormValues>,
  mode: Mode,
  input: unknown,
  previous: FormValues | undefined,
): ValidationReport => {
  const parsed = schema.safeParse(input);
  const record: FormValues = isRecord(input) ? input : {};
  // A field hidden by its showWhen counts as not answered. On final submission its kept value
  // is not checked (nor required); a draft still checks the type and bounds of every value it
  // would store, hidden or not, so no report ever holds a value its field refuses.
  const hidden = hiddenFields(form, record);
  const fieldOf = (error: FieldError) => error.path.split('.')[0] ?? '';
  // One code for "missing", whichever zod check noticed it, so clients can treat it alike.
  const fieldErrors = (
    parsed.success
      ? []
      : issuesToFieldErrors(parsed.error.issues).map((error) =>
          error.message.en === REQUIRED.en ? { ...error, code: 'required' } : error,
        )
  ).filter((error) => mode === 'draft' || !hidden.has(fieldOf(error)));
  // Rules look only at values that passed their own field checks. A rule naming a value that
  // failed them is skipped, rather than evaluated with coalesce()'s fallback in its place. A
  // hidden field is read as missing, whatever its value.
  const invalid = new Set(
    fieldErrors.map(fieldOf).filter((key) => isPresent(record[key]) && !hidden.has(key)),
  );
  const values = Object.fromEntries(
    Object.entries(record).filter(
      ([key]) => form.fields.has(key) && !invalid.has(key) && !hidden.has(key),
    ),
  );
  return {
    fieldErrors,
    ...rulesOver(form, values, previous, invalid),
  };
};

/** A draft: every field optional, types and bounds enforced, unknown keys rejected. */
export const validateDraft = (form: CompiledForm, values: unknown, previous?: FormValues) =>
  validate(form, form.draftSchema, 'draft', values, previous);

/**
 * A final submission: the draft checks plus required and required-when fields, for the fields
 * shown (a hidden field's kept value is not checked).
 */
export const validateFinal = (form: CompiledForm, values: unknown, previous?: FormValues) =>
  validate(form, form.finalSchema, 'final', values, previous);

/**
 * The derived indicators of a report; undecidable ones (missing input, ÷0) are absent. A hidden
 * field's value counts as missing.
 */
export const computeDerived = (form: CompiledForm, values: FormValues): Record<string, number> => {
  const scope = scopeOf(answeredValues(form, values), undefined);
  const result: Record<string, number> = {};
  for (const indicator of form.derived) {
    const value = evaluate(indicator.expression.ast, scope);
    if (typeof value === 'number' && Number.isFinite(value)) result[indicator.key] = value;
  }
  return result;
};
