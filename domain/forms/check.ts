/**
 * Semantic checks of form definitions beyond the meta-schema: duplicate keys, money units,
 * expressions naming unknown fields or choice codes or whose types do not fit
 * (expression-types.ts), rollup and standards naming unknown indicators, and
 * version-to-version changes that would orphan stored submissions. Problems carry the path
 * inside the definition, which the forms CLI turns into a file and line.
 */
import type { FieldDefinition, FormDefinition, ScalarField, Standard } from './definition.js';
import {
  type Expression,
  ExpressionSyntaxError,
  fieldReferences,
  parseExpression,
} from './expression.js';
import { checkExpressionTypes } from './expression-types.js';

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

const NUMERIC_TYPES = new Set<FieldDefinition['type']>(['int', 'decimal', 'money']);

/** Every field of a definition's sections (not group sub-fields), with its path. */
export const topLevelFields = (definition: FormDefinition) =>
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

/** Money is stored in whole yuan, so a CSV header `经费（万元）` would be 10,000 times off. */
const isYuan = (unit: { zh: string; en: string }) => unit.zh === '元' && unit.en === 'yuan';

/** Problems of one field on its own: repeated choice codes, max below min, a money unit. */
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
  if (field.type === 'money' && field.unit !== undefined && !isYuan(field.unit)) {
    problems.push({
      path: [...path, 'unit'],
      message: `"${field.key}" is a money field, stored and exported in whole yuan (the form offers 万元 itself): its unit must be { zh: 元, en: yuan } or left out`,
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

  const kindOf = (key: string) =>
    fields.get(key)?.type ?? (derivedKeys.has(key) ? ('derived' as const) : undefined);

  /** `context` names the expression for messages, e.g. `rule "staffSplit" check`. */
  const checkExpression = (
    source: string,
    path: DefinitionPath,
    options: { previous: boolean; context: string; expected: 'bool' | 'number' },
  ) => {
    let expression: Expression;
    try {
      expression = parseExpression(source);
    } catch (error) {
      if (!(error instanceof ExpressionSyntaxError)) throw error;
      problems.push({ path, message: error.message });
      return;
    }
    for (const reference of fieldReferences(expression)) {
      if (!fields.has(reference.key)) {
        problems.push({ path, message: `unknown field "${reference.key}" in \`${source}\`` });
      } else if (reference.previous && !options.previous) {
        problems.push({ path, message: `previous.${reference.key} is not available here` });
      }
    }
    for (const problem of checkExpressionTypes(expression, kindOf, options.expected)) {
      problems.push({
        path,
        message: `${options.context}: ${problem.message}, at column ${problem.at + 1} of \`${source}\``,
      });
    }
    for (const { key, code } of choiceComparisons(expression)) {
      const field = fields.get(key);
      if (field && 'choices' in field && !field.choices.some((choice) => choice.code === code)) {
        problems.push({ path, message: `unknown choice code "${code}" for "${key}"` });
      }
    }
  };

  definition.rules.forEach((rule, index) => {
    checkExpression(rule.check, ['rules', index, 'check'], {
      previous: true,
      context: `rule "${rule.id}" check`,
      expected: 'bool',
    });
  });
  definition.derived.forEach((indicator, index) => {
    checkExpression(indicator.formula, ['derived', index, 'formula'], {
      previous: false,
      context: `derived "${indicator.key}" formula`,
      expected: 'number',
    });
  });
  for (const { field, path } of topLevelFields(definition)) {
    for (const condition of ['showWhen', 'requiredWhen'] as const) {
      const source = field[condition];
      if (source === undefined) continue;
      checkExpression(source, [...path, condition], {
        previous: false,
        context: `field "${field.key}" ${condition}`,
        expected: 'bool',
      });
      if (
        fieldReferences(parseExpressionSafe(source)).some(
          (reference) => reference.key === field.key,
        )
      ) {
        problems.push({
          path: [...path, condition],
          message: `"${field.key}" cannot depend on itself`,
        });
      }
    }
  }
  problems.push(...showWhenCircles(definition));

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

/** Choice codes of `before` that `after` no longer has. */
const droppedCodes = (before: FieldDefinition, after: FieldDefinition) =>
  'choices' in before && 'choices' in after
    ? before.choices
        .map((choice) => choice.code)
        .filter((code) => !after.choices.some((choice) => choice.code === code))
    : [];

/**
 * What stored values of `before` (in `version`) no longer fit in `after`, at `path`: another
 * type, a dropped choice code, and the same in a group's sub-fields (named with their `group`).
 */
const valueChanges = (
  before: FieldDefinition,
  after: FieldDefinition,
  path: DefinitionPath,
  version: string,
  group?: string,
): DefinitionProblem[] => {
  const name =
    group === undefined ? `field "${after.key}"` : `sub-field "${after.key}" of "${group}"`;
  const migrate = `declare a retype migration${group === undefined ? '' : ` for "${group}"`}`;
  if (before.type !== after.type) {
    return [
      {
        path: [...path, 'type'],
        message: `${name} changed type from ${before.type} (version ${version}) to ${after.type}; ${migrate}`,
      },
    ];
  }
  const changes = droppedCodes(before, after).map((code) => ({
    path: [...path, 'choices'],
    message: `${name} dropped choice code "${code}" of version ${version}, which stored reports may hold; keep the code or ${migrate}`,
  }));
  if (before.type === 'group' && after.type === 'group') {
    after.fields.forEach((sub, index) => {
      const old = before.fields.find((candidate) => candidate.key === sub.key);
      if (old)
        changes.push(...valueChanges(old, sub, [...path, 'fields', index], version, after.key));
    });
  }
  return changes;
};

/**
 * Fields whose showWhen conditions go round in a circle (a shown when b is, b shown when a is):
 * whether they are shown would depend on the order they are looked at. Each circle is reported
 * once, at the first of its fields in the form; a field's condition on itself is reported
 * apart.
 */
const showWhenCircles = (definition: FormDefinition): DefinitionProblem[] => {
  const fields = topLevelFields(definition);
  const reads = new Map(
    fields.flatMap(({ field }) =>
      field.showWhen === undefined
        ? []
        : [
            [
              field.key,
              fieldReferences(parseExpressionSafe(field.showWhen))
                .map((reference) => reference.key)
                .filter((key) => key !== field.key),
            ] as const,
          ],
    ),
  );
  const paths = new Map(fields.map(({ field, path }) => [field.key, path]));
  const problems: DefinitionProblem[] = [];
  // Depth first, each field explored once: a field met again while still on the trail closes a
  // circle; one already explored leads into none not yet reported.
  const explored = new Set<string>();
  const trail: string[] = [];
  const visit = (key: string) => {
    if (explored.has(key)) return;
    const from = trail.indexOf(key);
    if (from >= 0) {
      const circle = [...trail.slice(from), key];
      problems.push({
        path: [...(paths.get(key) ?? []), 'showWhen'],
        message: `showWhen conditions go round in a circle: ${circle.map((k) => `"${k}"`).join(' → ')}`,
      });
      return;
    }
    trail.push(key);
    for (const next of reads.get(key) ?? []) visit(next);
    trail.pop();
    explored.add(key);
  };
  for (const { field } of fields) visit(field.key);
  return problems;
};

/**
 * What is wrong with a rename from the version before to `newer`, if anything: its value moves
 * to the new key when reports of the older version are read, so the old key must be gone, the
 * new one must be new, and the value must keep its type and choices.
 */
const renameProblem = (
  migration: FormDefinition['migrations'][number],
  older: FormDefinition | undefined,
  newerFields: ReadonlyMap<string, { field: FieldDefinition; path: DefinitionPath }>,
): { at: 'field' | 'to'; message: string } | undefined => {
  const { field: key, to } = migration;
  const olderFields = older ? topLevelFields(older).map((entry) => entry.field) : [];
  const olderField = olderFields.find((field) => field.key === key);
  if (!older || !olderField) return undefined; // reported as a migration of no field
  if (newerFields.has(key)) {
    return {
      at: 'field',
      message: `migration renames "${key}", but this version still has "${key}"`,
    };
  }
  // A rename to no field of this version is reported as the old field missing.
  const target = to === undefined ? undefined : newerFields.get(to);
  if (!target) return undefined;
  if (olderFields.some((field) => field.key === to)) {
    return {
      at: 'to',
      message: `migration renames "${key}" to "${to}", which version ${older.version} already has: the values would be mixed`,
    };
  }
  if (valueChanges(olderField, target.field, target.path, older.version).length > 0) {
    return {
      at: 'to',
      message: `migration renames "${key}" to "${to}", whose type or choices differ from "${key}"'s in version ${older.version}: a rename keeps the values as they are`,
    };
  }
  return undefined;
};

/**
 * Stored submissions keep their version, so each new version must keep every field of the one
 * before, with values of the same type and every choice code, unless it declares a migration
 * for it. A field dropped and added again later is compared with the last version that had it.
 * Each migration must name a field of the version before (a retype: of an earlier version) and
 * a retype must retype something.
 */
export const checkVersions = (versions: readonly FormDefinition[]): VersionProblem[] => {
  const problems: VersionProblem[] = [];
  const sorted = [...versions].sort((a, b) => compareVersions(a.version, b.version));
  /** Each key's field in the latest version so far that had it. */
  const history = new Map<string, { field: FieldDefinition; version: string }>();
  sorted.forEach((newer, index) => {
    const older = sorted[index - 1];
    const report = (path: DefinitionPath, message: string) =>
      problems.push({ version: newer.version, path, message });
    if (older?.version === newer.version) {
      report(['version'], `version ${newer.version} defined twice`);
      return;
    }
    const newerFields = new Map(topLevelFields(newer).map((entry) => [entry.field.key, entry]));
    const migrationOf = (key: string) =>
      newer.migrations.find((candidate) => candidate.field === key);

    for (const { field, path } of newerFields.values()) {
      const before = history.get(field.key);
      if (!before) continue;
      const changes = valueChanges(before.field, field, path, before.version);
      const migration = migrationOf(field.key);
      if (migration?.change !== 'retype') {
        for (const change of changes) report(change.path, change.message);
      } else if (changes.length === 0) {
        report(
          ['migrations', newer.migrations.indexOf(migration), 'change'],
          `migration retypes "${field.key}", but its type and choices are those of version ${before.version}`,
        );
      }
    }
    const olderFields = older ? topLevelFields(older).map(({ field }) => field) : [];
    for (const field of olderFields) {
      if (newerFields.has(field.key)) continue;
      const migration = migrationOf(field.key);
      if (migration?.change === 'drop') continue;
      if (
        migration?.change === 'rename' &&
        migration.to !== undefined &&
        newerFields.has(migration.to)
      )
        continue;
      report(
        ['sections'],
        `field "${field.key}" of version ${older?.version} is missing; declare a migration (drop or rename) for it`,
      );
    }
    const migrated = new Set<string>();
    newer.migrations.forEach((migration, migrationIndex) => {
      const { field: key, change } = migration;
      if (migrated.has(key)) {
        report(['migrations', migrationIndex, 'field'], `more than one migration for "${key}"`);
      }
      migrated.add(key);
      if (change === 'rename') {
        const problem = renameProblem(migration, older, newerFields);
        if (problem) report(['migrations', migrationIndex, problem.at], problem.message);
      }
      // A retype may concern a field dropped before the version before and now added again.
      const anyEarlier = change === 'retype' && newerFields.has(key);
      if (anyEarlier ? history.has(key) : olderFields.some((field) => field.key === key)) return;
      report(
        ['migrations', migrationIndex, 'field'],
        older && !anyEarlier
          ? `version ${older.version} has no field "${key}" to ${change}`
          : `no version before ${newer.version} has a field "${key}" to ${change}`,
      );
    });
    for (const { field } of newerFields.values())
      history.set(field.key, { field, version: newer.version });
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
