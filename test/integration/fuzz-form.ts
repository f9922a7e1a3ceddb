/**
 * What a valid form value is, written out from the field definitions (docs/forms.md) rather
 * than taken from the engine's own schemas, so that the fuzzing suite can generate values that
 * are certainly invalid, and would notice the engine accepting one of them.
 */
import fc from 'fast-check';
import type { FieldDefinition, ScalarField } from '../../domain/forms/definition.js';
import { anyJsonExcept, type Json, Obj, Raw } from './fuzz-json.js';

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const isRealDate = (value: unknown) => {
  const match = typeof value === 'string' ? ISO_DATE.exec(value) : null;
  if (!match) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value as string);
};

const codesOf = (field: { choices: { code: string }[] }) => field.choices.map((c) => c.code);

export const isValidScalar = (field: ScalarField, value: unknown): boolean => {
  switch (field.type) {
    case 'int':
    case 'money':
    case 'decimal': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return false;
      if (value < field.min || value > (field.max ?? Number.MAX_SAFE_INTEGER)) return false;
      return field.type === 'decimal'
        ? Number(value.toFixed(field.scale)) === value
        : Number.isInteger(value);
    }
    case 'bool':
      return typeof value === 'boolean';
    case 'choice':
      return typeof value === 'string' && codesOf(field).includes(value);
    case 'multi':
      return (
        Array.isArray(value) &&
        value.every((code) => typeof code === 'string' && codesOf(field).includes(code)) &&
        new Set(value).size === value.length
      );
    case 'text':
      return typeof value === 'string' && value.length <= field.maxLength;
    case 'date':
      return isRealDate(value);
  }
};

export const isValidValue = (field: FieldDefinition, value: unknown): boolean => {
  if (field.type !== 'group') return isValidScalar(field, value);
  if (!Array.isArray(value) || value.length > field.maxItems) return false;
  return value.every(
    (item) =>
      isPlainObject(item) &&
      Object.entries(item).every(([key, sub]) => {
        const subField = field.fields.find((candidate) => candidate.key === key);
        return subField !== undefined && (sub === undefined || isValidScalar(subField, sub));
      }),
  );
};

/** Values just outside what a field takes, then anything else that is not valid for it. */
const edgeCases = (field: FieldDefinition): Json[] => {
  switch (field.type) {
    case 'int':
    case 'money':
      return [
        field.min - 1,
        (field.max ?? Number.MAX_SAFE_INTEGER) + 1,
        1.5,
        new Raw('1e999'),
        new Raw('-1e999'),
        '1',
      ];
    case 'decimal':
      return [
        field.min - 1,
        (field.max ?? Number.MAX_SAFE_INTEGER) + 1,
        Number((1 / 3).toFixed(field.scale + 2)),
        new Raw('1e999'),
        '1.5',
      ];
    case 'bool':
      return ['true', 1, 0, null];
    case 'choice':
      return ['no-such-code', codesOf(field)[0]?.toUpperCase() ?? 'X', ` ${codesOf(field)[0]}`, 1];
    case 'multi': {
      const first = codesOf(field)[0] ?? 'x';
      return [[first, first], ['no-such-code'], first, [null]];
    }
    case 'text':
      return ['x'.repeat(field.maxLength + 1), 42, null, ['text']];
    case 'date':
      return ['2039-02-30', '2039-13-01', '2039-1-1', '2039-06-01T00:00:00Z', 20390601];
    case 'group':
      return [
        { not: 'a list' } as unknown as Json,
        ['not an entry'],
        [Obj.of({ noSuchSubField: 1 })],
        Array.from({ length: field.maxItems + 1 }, () => Obj.of({})),
      ];
  }
};

/** A value the field refuses, whatever the other values are. */
export const invalidValueFor = (field: FieldDefinition): fc.Arbitrary<Json> =>
  fc.oneof(
    fc.constantFrom(...edgeCases(field)).map((value) => normalise(value)),
    anyJsonExcept((value) => value === undefined || isValidValue(field, value)),
  );

/** Plain values (from fixtures) as Json, objects as Obj. */
export const normalise = (value: unknown): Json => {
  if (value instanceof Raw || value instanceof Obj) return value;
  if (Array.isArray(value)) return value.map(normalise);
  if (isPlainObject(value)) {
    return new Obj(Object.entries(value).map(([key, item]) => [key, normalise(item)] as const));
  }
  return value as Json;
};
