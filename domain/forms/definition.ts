/**
 * The meta-schema of form definitions (forms/<formId>/<version>.yaml): what a provincial
 * office may write to change what it collects. `npm run forms -- schema` turns it into the
 * JSON Schema editors use for autocompletion.
 */
import { z } from 'zod';

export const LocalizedText = z.strictObject({
  zh: z.string().min(1),
  en: z.string().min(1),
});
export type LocalizedText = z.infer<typeof LocalizedText>;

/** Field keys appear in API bodies, DynamoDB items and CSV headers: lowerCamelCase ASCII. */
export const FieldKey = z.string().regex(/^[a-z][A-Za-z0-9]{0,63}$/, 'lowerCamelCase ASCII key');
export const ChoiceCode = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'choice code');
/** An expression in the rule language (domain/forms/expression.ts). */
export const ExpressionSource = z.string().min(1).max(1_000);

export const Choice = z.strictObject({ code: ChoiceCode, label: LocalizedText });
export type Choice = z.infer<typeof Choice>;

export const MAX_TEXT_LENGTH = 4_000;

const fieldBase = {
  key: FieldKey,
  label: LocalizedText,
  help: LocalizedText.optional(),
  unit: LocalizedText.optional(),
  /** Required before final submission (a draft may always be incomplete). */
  required: z.boolean().default(false),
  /** Required before final submission when this expression is true. */
  requiredWhen: ExpressionSource.optional(),
  /**
   * Shown only when this expression is true, e.g. `present(otherField)`; a hidden field is never
   * required, and a value it already has is kept rather than lost when the condition changes.
   */
  showWhen: ExpressionSource.optional(),
};

const bound = z.number().finite().nonnegative();

export const IntField = z.strictObject({
  ...fieldBase,
  type: z.literal('int'),
  min: bound.default(0),
  max: bound.optional(),
});
export const DecimalField = z.strictObject({
  ...fieldBase,
  type: z.literal('decimal'),
  /** Decimal places allowed. */
  scale: z.number().int().min(1).max(6),
  min: bound.default(0),
  max: bound.optional(),
});
/** An amount of money, always stored as whole yuan (元); the UI also accepts 万元. */
export const MoneyField = z.strictObject({
  ...fieldBase,
  type: z.literal('money'),
  min: bound.default(0),
  max: bound.optional(),
});
export const BoolField = z.strictObject({ ...fieldBase, type: z.literal('bool') });
export const ChoiceField = z.strictObject({
  ...fieldBase,
  type: z.literal('choice'),
  choices: z.array(Choice).min(1),
});
export const MultiField = z.strictObject({
  ...fieldBase,
  type: z.literal('multi'),
  choices: z.array(Choice).min(1),
});
export const TextField = z.strictObject({
  ...fieldBase,
  type: z.literal('text'),
  maxLength: z.number().int().min(1).max(MAX_TEXT_LENGTH).default(MAX_TEXT_LENGTH),
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
  maxItems: z.number().int().min(1).max(200).default(50),
  fields: z.array(ScalarField).min(1),
});
export type GroupField = z.infer<typeof GroupField>;

export const FieldDefinition = z.discriminatedUnion('type', [...SCALAR_FIELDS, GroupField]);
export type FieldDefinition = z.infer<typeof FieldDefinition>;
export type FieldType = FieldDefinition['type'];

export const Section = z.strictObject({
  key: FieldKey,
  title: LocalizedText,
  help: LocalizedText.optional(),
  /** Evidence (photos, PDFs) may be attached to this section. */
  evidence: z
    .strictObject({
      maxFiles: z.number().int().min(1).max(100).default(20),
      hint: LocalizedText.optional(),
    })
    .optional(),
  fields: z.array(FieldDefinition).min(1),
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
  unit: LocalizedText.optional(),
  formula: ExpressionSource,
  /** Decimal places kept in exports. */
  scale: z.number().int().min(0).max(6).default(2),
});
export type DerivedIndicator = z.infer<typeof DerivedIndicator>;

/** How an older version's field maps into this version, so stored submissions stay readable. */
export const Migration = z.strictObject({
  field: FieldKey,
  change: z.enum(['drop', 'retype', 'rename']),
  /** The new key, for `rename`. */
  to: FieldKey.optional(),
  note: z.string().min(1),
});
export type Migration = z.infer<typeof Migration>;

export const PeriodType = z.enum(['annual', 'half-year']);
export type PeriodType = z.infer<typeof PeriodType>;

export const FormDefinition = z.strictObject({
  $schema: z.string().optional(),
  formId: z.string().regex(/^[a-z][a-z0-9-]{1,63}$/, 'kebab-case form id'),
  /** `<year>.<n>`, compared numerically; the highest is the active version. */
  version: z.string().regex(/^\d{4}\.\d{1,3}$/, 'version like 2026.1'),
  title: LocalizedText,
  periodType: PeriodType,
  sections: z.array(Section).min(1),
  rules: z.array(Rule).default([]),
  derived: z.array(DerivedIndicator).default([]),
  rollup: z
    .strictObject({
      /** Fields and derived indicators compared across libraries, in column order. */
      compare: z.array(FieldKey).default([]),
      /** Fields whose year-over-year change in percent the comparison shows. */
      yearOverYear: z.array(FieldKey).default([]),
      /** The multi-choice field holding problem codes, tallied in `problems`. */
      problems: FieldKey.optional(),
    })
    .default({ compare: [], yearOverYear: [] }),
  migrations: z.array(Migration).default([]),
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
  source: z.string().min(1),
  /** Not yet confirmed against its source; shown as such. */
  provisional: z.boolean(),
});
export type Standard = z.infer<typeof Standard>;

export const StandardsFile = z.strictObject({
  $schema: z.string().optional(),
  standards: z.array(Standard),
});
export type StandardsFile = z.infer<typeof StandardsFile>;

/** Date-time templates: `{year}` is the period's year, `{year+1}` the next. */
const WindowTemplate = z.strictObject({
  opensAt: z.string().min(1),
  dueAt: z.string().min(1),
  locksAt: z.string().min(1),
});
export const PeriodsFile = z.strictObject({
  $schema: z.string().optional(),
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
