/**
 * Semantic checks of form definitions beyond the meta-schema: duplicate keys, expressions
 * naming unknown fields or choice codes, rollup and standards naming unknown indicators, and
 * version-to-version changes that would orphan stored submissions. Problems carry the path
 * inside the definition, which the forms CLI turns into a file and line.
 */
import type { FieldDefinition, FormDefinition, ScalarField, Standard } from './definition.js';
import { type Expression, ExpressionSyntaxError, parseExpression } from './expression.js';

export type DefinitionPath = (string | number)[];

export interface DefinitionProblem {
  path: DefinitionPath;
  message: string;
}

export class DefinitionError extends Error {
  constructor(
    formId: string,
    version: string,
    readonly problems: DefinitionProblem[],
  ) {
    super(
      `Form ${formId} ${version} is invalid:\n${problems
        .map((problem) => `  ${problem.path.join('.')}: ${problem.message}`)
        .join('\n')}`,
    );
    this.name = 'DefinitionError';
  }
}

/** Types an expression may compute with; the others only through present() and count(). */
const VALUE_TYPES = new Set<FieldDefinition['type']>(['int', 'decimal', 'money', 'bool', 'choice']);
const NUMERIC_TYPES = new Set<FieldDefinition['type']>(['int', 'decimal', 'money']);

const topLevelFields = (definition: FormDefinition) =>
  definition.sections.flatMap((section, sectionIndex) =>
    section.fields.map((field, fieldIndex) => ({
      field,
      path: ['sections', sectionIndex, 'fields', fieldIndex] as DefinitionPath,
    })),
  );

/** String literals compared with a choice field must be codes of that field. */
const choiceComparisons = (expression: Expression): { key: string; code: string }[] => {
  switch (expression.kind) {
    case 'binary': {
      const { left, right } = expression;
      const pairs: { key: string; code: string }[] = [];
      if (
        (expression.operator === '==' || expression.operator === '!=') &&
        left.kind === 'field' &&
        right.kind === 'string'
      ) {
        pairs.push({ key: left.key, code: right.value });
      }
      if (
        (expression.operator === '==' || expression.operator === '!=') &&
        right.kind === 'field' &&
        left.kind === 'string'
      ) {
        pairs.push({ key: right.key, code: left.value });
      }
      return [...pairs, ...choiceComparisons(left), ...choiceComparisons(right)];
    }
    case 'unary':
      return choiceComparisons(expression.operand);
    case 'call':
      return expression.args.flatMap(choiceComparisons);
    default:
      return [];
  }
};

const allReferences = (expression: Expression): { key: string; previous: boolean }[] => {
  switch (expression.kind) {
    case 'field':
      return [{ key: expression.key, previous: expression.previous }];
    case 'unary':
      return allReferences(expression.operand);
    case 'binary':
      return [...allReferences(expression.left), ...allReferences(expression.right)];
    case 'call':
      return expression.args.flatMap(allReferences);
    default:
      return [];
  }
};

/** Fields an expression computes with: all but those seen only through present() or count(). */
const computedReferences = (expression: Expression): { key: string }[] => {
  if (expression.kind === 'call' && (expression.name === 'present' || expression.name === 'count'))
    return [];
  if (expression.kind === 'call') return expression.args.flatMap(computedReferences);
  if (expression.kind === 'unary') return computedReferences(expression.operand);
  if (expression.kind === 'binary')
    return [...computedReferences(expression.left), ...computedReferences(expression.right)];
  return expression.kind === 'field' ? [{ key: expression.key }] : [];
};

/** Problems of one field on its own: repeated choice codes, max below min. */
const checkFieldShape = (
  field: FieldDefinition | ScalarField,
  path: DefinitionPath,
  problems: DefinitionProblem[],
) => {
  const codes = new Set<string>();
  ('choices' in field ? field.choices : []).forEach((choice, index) => {
    if (codes.has(choice.code)) {
      problems.push({
        path: [...path, 'choices', index, 'code'],
        message: `duplicate choice code "${choice.code}"`,
      });
    }
    codes.add(choice.code);
  });
  if ('min' in field && field.max !== undefined && field.max < field.min) {
    problems.push({
      path: [...path, 'max'],
      message: `max ${field.max} is below min ${field.min}`,
    });
  }
};

export const checkDefinition = (definition: FormDefinition): DefinitionProblem[] => {
  const problems: DefinitionProblem[] = [];
  const fields = new Map<string, FieldDefinition>();

  const sectionKeys = new Set<string>();
  definition.sections.forEach((section, index) => {
    if (sectionKeys.has(section.key)) {
      problems.push({
        path: ['sections', index, 'key'],
        message: `duplicate section key "${section.key}"`,
      });
    }
    sectionKeys.add(section.key);
  });

  for (const { field, path } of topLevelFields(definition)) {
    if (fields.has(field.key)) {
      problems.push({ path: [...path, 'key'], message: `duplicate field key "${field.key}"` });
    }
    fields.set(field.key, field);
    checkFieldShape(field, path, problems);
    if (field.type === 'group') {
      const subKeys = new Set<string>();
      field.fields.forEach((sub, index) => {
        const subPath = [...path, 'fields', index];
        if (subKeys.has(sub.key)) {
          problems.push({
            path: [...subPath, 'key'],
            message: `duplicate sub-field key "${sub.key}"`,
          });
        }
        subKeys.add(sub.key);
        checkFieldShape(sub, subPath, problems);
        for (const condition of ['showWhen', 'requiredWhen'] as const) {
          if (sub[condition] !== undefined) {
            problems.push({
              path: [...subPath, condition],
              message: `${condition} is not supported on the sub-fields of a group`,
            });
          }
        }
      });
    }
  }

  const derivedKeys = new Set<string>();
  definition.derived.forEach((indicator, index) => {
    if (fields.has(indicator.key) || derivedKeys.has(indicator.key)) {
      problems.push({
        path: ['derived', index, 'key'],
        message: `duplicate key "${indicator.key}"`,
      });
    }
    derivedKeys.add(indicator.key);
  });

  const ruleIds = new Set<string>();
  definition.rules.forEach((rule, index) => {
    if (ruleIds.has(rule.id))
      problems.push({ path: ['rules', index, 'id'], message: `duplicate rule id "${rule.id}"` });
    ruleIds.add(rule.id);
  });

  const checkExpression = (
    source: string,
    path: DefinitionPath,
    options: { previous: boolean },
  ) => {
    let expression: Expression;
    try {
      expression = parseExpression(source);
    } catch (error) {
      if (!(error instanceof ExpressionSyntaxError)) throw error;
      problems.push({ path, message: error.message });
      return;
    }
    for (const reference of allReferences(expression)) {
      if (!fields.has(reference.key)) {
        problems.push({ path, message: `unknown field "${reference.key}" in \`${source}\`` });
      } else if (reference.previous && !options.previous) {
        problems.push({ path, message: `previous.${reference.key} is not available here` });
      }
    }
    for (const input of computedReferences(expression)) {
      const type = fields.get(input.key)?.type;
      if (type !== undefined && !VALUE_TYPES.has(type)) {
        problems.push({
          path,
          message: `"${input.key}" is a ${type} field; use it only inside present() or count()`,
        });
      }
    }
    for (const { key, code } of choiceComparisons(expression)) {
      const field = fields.get(key);
      if (field && 'choices' in field && !field.choices.some((choice) => choice.code === code)) {
        problems.push({ path, message: `unknown choice code "${code}" for "${key}"` });
      }
    }
  };

  definition.rules.forEach((rule, index) => {
    checkExpression(rule.check, ['rules', index, 'check'], { previous: true });
  });
  definition.derived.forEach((indicator, index) => {
    checkExpression(indicator.formula, ['derived', index, 'formula'], { previous: false });
  });
  for (const { field, path } of topLevelFields(definition)) {
    for (const condition of ['showWhen', 'requiredWhen'] as const) {
      const source = field[condition];
      if (source === undefined) continue;
      checkExpression(source, [...path, condition], { previous: false });
      if (
        allReferences(parseExpressionSafe(source)).some((reference) => reference.key === field.key)
      ) {
        problems.push({
          path: [...path, condition],
          message: `"${field.key}" cannot depend on itself`,
        });
      }
    }
  }

  const { rollup } = definition;
  rollup.compare.forEach((key, index) => {
    if (!fields.has(key) && !derivedKeys.has(key)) {
      problems.push({
        path: ['rollup', 'compare', index],
        message: `unknown field or indicator "${key}"`,
      });
    }
  });
  rollup.yearOverYear.forEach((key, index) => {
    const type = fields.get(key)?.type;
    if (type === undefined || !NUMERIC_TYPES.has(type)) {
      problems.push({
        path: ['rollup', 'yearOverYear', index],
        message: `"${key}" is not a numeric field`,
      });
    }
  });
  if (rollup.problems !== undefined && fields.get(rollup.problems)?.type !== 'multi') {
    problems.push({
      path: ['rollup', 'problems'],
      message: `"${rollup.problems}" is not a multi-choice field`,
    });
  }
  return problems;
};

const parseExpressionSafe = (source: string): Expression => {
  try {
    return parseExpression(source);
  } catch {
    return { kind: 'boolean', value: true, at: 0 };
  }
};

/** Orders versions like `2026.1` < `2026.2` < `2027.1`. */
export const compareVersions = (a: string, b: string): number => {
  const [aYear = 0, aNumber = 0] = a.split('.').map(Number);
  const [bYear = 0, bNumber = 0] = b.split('.').map(Number);
  return aYear - bYear || aNumber - bNumber;
};

export interface VersionProblem extends DefinitionProblem {
  version: string;
}

/**
 * Stored submissions keep their version, so each new version must keep every field of the one
 * before with the same type, unless it declares a migration for it.
 */
export const checkVersions = (versions: readonly FormDefinition[]): VersionProblem[] => {
  const problems: VersionProblem[] = [];
  const sorted = [...versions].sort((a, b) => compareVersions(a.version, b.version));
  sorted.forEach((newer, index) => {
    const older = sorted[index - 1];
    if (!older) return;
    if (older.version === newer.version) {
      problems.push({
        version: newer.version,
        path: ['version'],
        message: `version ${newer.version} defined twice`,
      });
      return;
    }
    const newerFields = new Map(topLevelFields(newer).map((entry) => [entry.field.key, entry]));
    for (const { field } of topLevelFields(older)) {
      const migration = newer.migrations.find((candidate) => candidate.field === field.key);
      const current = newerFields.get(field.key);
      if (!current) {
        if (migration?.change === 'drop') continue;
        if (
          migration?.change === 'rename' &&
          migration.to !== undefined &&
          newerFields.has(migration.to)
        )
          continue;
        problems.push({
          version: newer.version,
          path: ['sections'],
          message: `field "${field.key}" of version ${older.version} is missing; declare a migration (drop or rename) for it`,
        });
      } else if (current.field.type !== field.type && migration?.change !== 'retype') {
        problems.push({
          version: newer.version,
          path: [...current.path, 'type'],
          message: `field "${field.key}" changed type from ${field.type} (version ${older.version}) to ${current.field.type}; declare a retype migration`,
        });
      }
    }
  });
  return problems;
};

/** Standards must name a field or derived indicator of their form's active version. */
export const checkStandards = (
  standards: readonly Standard[],
  activeForms: ReadonlyMap<string, FormDefinition>,
): DefinitionProblem[] => {
  const problems: DefinitionProblem[] = [];
  const keys = new Set<string>();
  standards.forEach((standard, index) => {
    if (keys.has(standard.key))
      problems.push({
        path: ['standards', index, 'key'],
        message: `duplicate standard "${standard.key}"`,
      });
    keys.add(standard.key);
    const form = activeForms.get(standard.formId);
    if (!form) {
      problems.push({
        path: ['standards', index, 'formId'],
        message: `unknown form "${standard.formId}"`,
      });
      return;
    }
    const field = form.sections
      .flatMap((section) => section.fields)
      .find((candidate) => candidate.key === standard.indicator);
    const derived = form.derived.some((indicator) => indicator.key === standard.indicator);
    if (!field && !derived) {
      problems.push({
        path: ['standards', index, 'indicator'],
        message: `unknown indicator "${standard.indicator}" in form ${standard.formId}`,
      });
      return;
    }
    const boolean = field?.type === 'bool';
    if (
      boolean !== (typeof standard.value === 'boolean') ||
      (boolean && standard.operator !== '==')
    ) {
      problems.push({
        path: ['standards', index, 'value'],
        message: boolean
          ? 'a yes/no indicator needs operator == and value true or false'
          : 'value must be a number',
      });
    }
  });
  return problems;
};
