/**
 * The meta-schema of form definitions (forms/<formId>/<version>.yaml): what a provincial
 * office may write to change what it collects. `npm run forms -- build` also turns it into the
 * JSON Schema editors use for autocompletion.
 */
import * as z from 'zod/mini';
// The forms CLI shows the meta-schema's issues to whoever edits the YAML: in English.
import '../zod-locale.js';
import { FORM_VERSION_PATTERN } from './form-version.js';
import { FieldKey, LocalizedText } from './primitives.js';

export const ChoiceCode = z
  .string()
  .check(z.regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'choice code'));
/** An expression in the rule language (domain/forms/expression.ts). */
export const ExpressionSource = z.string().check(z.minLength(1), z.maxLength(1_000));

export const Choice = z.strictObject({ code: ChoiceCode, label: LocalizedText });
export type Choice = z.infer<typeof Choice>;

export const MAX_TEXT_LENGTH = 4_000;

const fieldBase = {
  key: FieldKey,
  label: LocalizedText,
  help: z.optional(LocalizedText),
  unit: z.optional(LocalizedText),
  /** Required before final submission (a draft may always be incomplete). */
  required: z._default(z.boolean(), false),
  /** Required before final submission when this expression is true. */
  requiredWhen: z.optional(ExpressionSource),
  /**
   * Shown only when this expression is true, e.g. `present(otherField)`; a hidden field is never
   * required, and a value it already has is kept rather than lost when the condition changes,
   * but read as missing by checks, rules, indicators and the rollup while hidden.
   */
  showWhen: z.optional(ExpressionSource),
};

const bound = z.number().check(z.nonnegative());

export const IntField = z.strictObject({
  ...fieldBase,
  type: z.literal('int'),
  min: z._default(bound, 0),
  max: z.optional(bound),
});
export const DecimalField = z.strictObject({
  ...fieldBase,
  type: z.literal('decimal'),
  /** Decimal places allowed. */
  scale: z.number().check(z.int(), z.minimum(1), z.maximum(6)),
  min: z._default(bound, 0),
  max: z.optional(bound),
});
/** An amount of money, always stored as whole yuan (元); the UI also accepts 万元. */
export const MoneyField = z.strictObject({
  ...fieldBase,
  type: z.literal('money'),
  min: z._default(bound, 0),
  max: z.optional(bound),
});
export const BoolField = z.strictObject({ ...fieldBase, type: z.literal('bool') });
export const ChoiceField = z.strictObject({
  ...fieldBase,
  type: z.literal('choice'),
  choices: z.array(Choice).check(z.minLength(1)),
});
export const MultiField = z.strictObject({
  ...fieldBase,
  type: z.literal('multi'),
  choices: z.array(Choice).check(z.minLength(1)),
});
export const TextField = z.strictObject({
  ...fieldBase,
  type: z.literal('text'),
  maxLength: z._default(
    z.number().check(z.int(), z.minimum(1), z.maximum(MAX_TEXT_LENGTH)),
    MAX_TEXT_LENGTH,
  ),
});
export const DateField = z.strictObject({ ...fieldBase, type: z.literal('date') });

const SCALAR_FIELDS = [
  IntField,
  DecimalField,
  MoneyField,
  BoolField,
  ChoiceField,
  MultiField,
  TextField,
  DateField,
] as const;

export const ScalarField = z.discriminatedUnion('type', [...SCALAR_FIELDS]);
export type ScalarField = z.infer<typeof ScalarField>;

/** A repeated group of sub-fields, e.g. the incidents of a year. */
export const GroupField = z.strictObject({
  ...fieldBase,
  type: z.literal('group'),
  maxItems: z._default(z.number().check(z.int(), z.minimum(1), z.maximum(200)), 50),
  fields: z.array(ScalarField).check(z.minLength(1)),
});
export type GroupField = z.infer<typeof GroupField>;

export const FieldDefinition = z.discriminatedUnion('type', [...SCALAR_FIELDS, GroupField]);
export type FieldDefinition = z.infer<typeof FieldDefinition>;
export type FieldType = FieldDefinition['type'];

export const Section = z.strictObject({
  key: FieldKey,
  title: LocalizedText,
  help: z.optional(LocalizedText),
  /** Evidence (photos, PDFs) may be attached to this section. */
  evidence: z.optional(
    z.strictObject({
      maxFiles: z._default(z.number().check(z.int(), z.minimum(1), z.maximum(100)), 20),
      hint: z.optional(LocalizedText),
    }),
  ),
  fields: z.array(FieldDefinition).check(z.minLength(1)),
});
export type Section = z.infer<typeof Section>;

export const Rule = z.strictObject({
  id: FieldKey,
  severity: z.enum(['error', 'warning']),
  /** Holds when true; a violation is reported when false. */
  check: ExpressionSource,
  message: LocalizedText,
});
export type Rule = z.infer<typeof Rule>;

export const DerivedIndicator = z.strictObject({
  key: FieldKey,
  label: LocalizedText,
  unit: z.optional(LocalizedText),
  formula: ExpressionSource,
  /** Decimal places kept in exports. */
  scale: z._default(z.number().check(z.int(), z.minimum(0), z.maximum(6)), 2),
});
export type DerivedIndicator = z.infer<typeof DerivedIndicator>;

/** How an older version's field maps into this version, so stored submissions stay readable. */
export const Migration = z.strictObject({
  field: FieldKey,
  change: z.enum(['drop', 'retype', 'rename']),
  /** The new key, for `rename`. */
  to: z.optional(FieldKey),
  note: z.string().check(z.minLength(1)),
});
export type Migration = z.infer<typeof Migration>;

export const PeriodType = z.enum(['annual', 'half-year']);
export type PeriodType = z.infer<typeof PeriodType>;

export const FormDefinition = z.strictObject({
  $schema: z.optional(z.string()),
  formId: z.string().check(z.regex(/^[a-z][a-z0-9-]{1,63}$/, 'kebab-case form id')),
  /** `<year>.<n>`, compared numerically; the highest is the active version. */
  version: z.string().check(z.regex(FORM_VERSION_PATTERN, 'version like 2026.1')),
  title: LocalizedText,
  periodType: PeriodType,
  sections: z.array(Section).check(z.minLength(1)),
  rules: z._default(z.array(Rule), []),
  derived: z._default(z.array(DerivedIndicator), []),
  rollup: z._default(
    z.strictObject({
      /** Fields and derived indicators compared across libraries, in column order. */
      compare: z._default(z.array(FieldKey), []),
      /** Fields whose year-over-year change in percent the comparison shows. */
      yearOverYear: z._default(z.array(FieldKey), []),
      /** The multi-choice field holding problem codes, tallied in `problems`. */
      problems: z.optional(FieldKey),
    }),
    { compare: [], yearOverYear: [] },
  ),
  migrations: z._default(z.array(Migration), []),
});
export type FormDefinition = z.infer<typeof FormDefinition>;

export const Standard = z.strictObject({
  key: FieldKey,
  formId: z.string(),
  /** A field or derived indicator of the form. */
  indicator: FieldKey,
  operator: z.enum(['>=', '<=', '==']),
  value: z.union([z.number(), z.boolean()]),
  label: LocalizedText,
  source: z.string().check(z.minLength(1)),
  /** Not yet confirmed against its source; shown as such. */
  provisional: z.boolean(),
});
export type Standard = z.infer<typeof Standard>;

export const StandardsFile = z.strictObject({
  $schema: z.optional(z.string()),
  standards: z.array(Standard),
});
export type StandardsFile = z.infer<typeof StandardsFile>;

/** Date-time templates: `{year}` is the period's year, `{year+1}` the next. */
const WindowTemplate = z.strictObject({
  opensAt: z.string().check(z.minLength(1)),
  dueAt: z.string().check(z.minLength(1)),
  locksAt: z.string().check(z.minLength(1)),
});
export const PeriodsFile = z.strictObject({
  $schema: z.optional(z.string()),
  windows: z.strictObject({ annual: WindowTemplate, H1: WindowTemplate, H2: WindowTemplate }),
});
export type PeriodsFile = z.infer<typeof PeriodsFile>;

/** What `npm run forms -- build` writes: every definition, the standards and the windows. */
export const FormCatalog = z.strictObject({
  forms: z.array(FormDefinition),
  standards: z.array(Standard),
  periods: PeriodsFile,
});
export type FormCatalog = z.infer<typeof FormCatalog>;
