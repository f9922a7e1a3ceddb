/**
 * A stored report's values in the keys of a later version of its form, through the migrations
 * each version after the report's declares: what the province comparison, laid out by the
 * active version, reads of a report written under an older one. Reports themselves are never
 * rewritten; they keep their version and values.
 */

import { compareVersions } from './check.js';
import type { FormValues } from './compile.js';
import type { FieldType, FormDefinition } from './definition.js';

/** Whether a value is stored as a field of this type holds it, so a retype may keep it. */
const fitsType = (value: unknown, type: FieldType): boolean => {
  switch (type) {
    case 'int':
    case 'money':
      return Number.isInteger(value);
    case 'decimal':
      return typeof value === 'number';
    case 'bool':
      return typeof value === 'boolean';
    case 'text':
    case 'date':
    case 'choice':
      return typeof value === 'string';
    case 'multi':
    case 'group':
      return Array.isArray(value);
  }
};

const fieldTypes = (definition: FormDefinition) =>
  new Map(
    definition.sections.flatMap((section) =>
      section.fields.map((field) => [field.key, field.type] as const),
    ),
  );

/**
 * `values`, written under `fromVersion`, as `definitions` (every version of the form, any
 * order) would hold them in the newest: each later version's migrations applied in turn. A
 * renamed field's value moves to its new key, a dropped one goes, and a retyped one stays only
 * if it is still a value of the new type (an int made decimal stays; a number made text goes).
 */
export const upgradeValues = (
  definitions: readonly FormDefinition[],
  fromVersion: string,
  values: FormValues,
): FormValues => {
  const later = definitions
    .filter((definition) => compareVersions(definition.version, fromVersion) > 0)
    .sort((a, b) => compareVersions(a.version, b.version));
  if (later.length === 0) return values;
  const upgraded: FormValues = { ...values };
  for (const definition of later) {
    const types = fieldTypes(definition);
    for (const migration of definition.migrations) {
      if (!Object.hasOwn(upgraded, migration.field)) continue;
      const value = upgraded[migration.field];
      if (migration.change === 'rename' && migration.to !== undefined) {
        delete upgraded[migration.field];
        upgraded[migration.to] = value;
      } else if (migration.change === 'drop') {
        delete upgraded[migration.field];
      } else {
        const type = types.get(migration.field);
        if (type !== undefined && !fitsType(value, type)) delete upgraded[migration.field];
      }
    }
  }
  return upgraded;
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
