/**
 * A stored report's values in the keys of a later version of its form, through the migrations
 * each version after the report's declares: what the province comparison, laid out by the
 * active version, reads of a report written under an older one. Reports themselves are never
 * rewritten; they keep their version and values.
 */

import { compareVersions, topLevelFields } from './check.js';
import { answeredValues, type CompiledForm, type FormValues } from './compile.js';
import type { FieldDefinition, FormDefinition } from './definition.js';

/**
 * Whether a field of a later version holds a value as stored, so a retype may keep it: a
 * number for a number, a code it offers for a choice (each for a multi), and so on. A field
 * the version lacks keeps it.
 */
const fitsField = (value: unknown, field: FieldDefinition | undefined): boolean => {
  if (!field) return true;
  switch (field.type) {
    case 'int':
    case 'money':
      return Number.isInteger(value);
    case 'decimal':
      return typeof value === 'number';
    case 'bool':
      return typeof value === 'boolean';
    case 'text':
    case 'date':
      return typeof value === 'string';
    case 'choice':
      return field.choices.some((choice) => choice.code === value);
    case 'multi':
      return (
        Array.isArray(value) &&
        value.every((code) => field.choices.some((choice) => choice.code === code))
      );
    case 'group':
      return Array.isArray(value);
  }
};

/** The versions of `definitions` after `version`, oldest first: the migrations to apply in turn. */
const versionsAfter = (definitions: readonly FormDefinition[], version: string) =>
  definitions
    .filter((definition) => compareVersions(definition.version, version) > 0)
    .sort((a, b) => compareVersions(a.version, b.version));

/** The versions of `definitions` up to `version`: reading a report as `version` goes through them. */
export const definitionsUpTo = (definitions: readonly FormDefinition[], version: string) =>
  definitions.filter((definition) => compareVersions(definition.version, version) <= 0);

/**
 * A retyped field's value as the later version's field holds it, or undefined when it cannot.
 * A group keeps its entries (unless it now takes fewer), each with the sub-values its
 * sub-fields still hold: a sub-field retyped or dropped loses only its own values, which the
 * version's draft check would otherwise refuse.
 */
const retypedValue = (value: unknown, field: FieldDefinition | undefined): unknown => {
  if (field?.type !== 'group') return fitsField(value, field) ? value : undefined;
  if (!Array.isArray(value) || value.length > field.maxItems) return undefined;
  const subFields = new Map<string, FieldDefinition>(field.fields.map((sub) => [sub.key, sub]));
  return value.map((entry: unknown) =>
    Object.fromEntries(
      Object.entries(entry ?? {}).filter(([key, subValue]) => {
        const subField = subFields.get(key);
        return subField !== undefined && fitsField(subValue, subField);
      }),
    ),
  );
};

/**
 * `values`, written under `fromVersion`, as `definitions` (every version of the form, any
 * order) would hold them in the newest: each later version's migrations applied in turn. A
 * renamed field's value moves to its new key, a dropped one goes, and a retyped one stays only
 * if it is still a value of the new type (an int made decimal stays; a number made text goes;
 * a group keeps what its sub-fields hold, `retypedValue`).
 */
export const upgradeValues = (
  definitions: readonly FormDefinition[],
  fromVersion: string,
  values: FormValues,
): FormValues => {
  const later = versionsAfter(definitions, fromVersion);
  if (later.length === 0) return values;
  let upgraded: FormValues = values;
  for (const definition of later) {
    const fields = new Map(topLevelFields(definition).map(({ field }) => [field.key, field]));
    // Each migration reads the values as the version before left them, whatever its order:
    // every migrated value is taken out first, and the kept ones put back under their keys.
    const before = upgraded;
    upgraded = { ...before };
    const moved: [string, unknown][] = [];
    for (const { field, change, to } of definition.migrations) {
      if (!Object.hasOwn(before, field)) continue;
      const value = before[field];
      delete upgraded[field];
      if (change === 'rename' && to !== undefined) moved.push([to, value]);
      if (change === 'retype') {
        const kept = retypedValue(value, fields.get(field));
        if (kept !== undefined) moved.push([field, kept]);
      }
    }
    for (const [key, value] of moved) upgraded[key] = value;
  }
  return upgraded;
};

/**
 * A report's values as a later version reads them, as year-over-year rules compare them: the
 * fields its own version (`own`, compiled, when deployed) hides left out, then through the
 * migrations of `definitions` after its version `fromVersion`.
 */
export const valuesAsLaterVersion = (
  own: CompiledForm | undefined,
  definitions: readonly FormDefinition[],
  fromVersion: string,
  values: FormValues,
): FormValues =>
  upgradeValues(definitions, fromVersion, own ? answeredValues(own, values) : values);

/**
 * Where a field of version `fromVersion` is in the newest of `definitions`: its key through every
 * rename since, or undefined once a version dropped it. A retype keeps the key.
 */
export const keyInLaterVersion = (
  definitions: readonly FormDefinition[],
  fromVersion: string,
  key: string,
): string | undefined => {
  let current: string | undefined = key;
  const later = versionsAfter(definitions, fromVersion);
  for (const definition of later) {
    const migration = definition.migrations.find((candidate) => candidate.field === current);
    if (migration?.change === 'drop') return undefined;
    if (migration?.change === 'rename') current = migration.to;
    if (current === undefined) return undefined;
  }
  return current;
};

/**
 * `keys` of the newest version with every key their values were stored under in older ones
 * (a renamed field's earlier names): what to read of reports of any version to upgrade them.
 */
export const keysAcrossVersions = (
  definitions: readonly FormDefinition[],
  keys: readonly string[],
): string[] => {
  const result = new Set(keys);
  const newestFirst = [...definitions].sort((a, b) => compareVersions(b.version, a.version));
  for (const definition of newestFirst) {
    for (const migration of definition.migrations) {
      if (migration.change === 'rename' && migration.to !== undefined && result.has(migration.to)) {
        result.add(migration.field);
      }
    }
  }
  return [...result];
};
