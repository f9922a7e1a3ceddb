/**
 * The compiled definition as the web UI renders it: sections, fields with their widgets,
 * units, bounds and choice labels, the conditions and the rules' metadata. The browser
 * re-compiles the same definition to validate as the server does.
 */
import type { CompiledForm } from './compile.js';
import type { Choice, FieldDefinition, PeriodType, ScalarField } from './definition.js';
import type { LocalizedText } from './primitives.js';

export type Widget =
  | 'integer'
  | 'decimal'
  | 'money'
  | 'toggle'
  | 'select'
  | 'checkboxes'
  | 'textarea'
  | 'date'
  | 'group';

const WIDGETS: Record<FieldDefinition['type'], Widget> = {
  int: 'integer',
  decimal: 'decimal',
  money: 'money',
  bool: 'toggle',
  choice: 'select',
  multi: 'checkboxes',
  text: 'textarea',
  date: 'date',
  group: 'group',
};

export interface UiField {
  key: string;
  type: FieldDefinition['type'];
  widget: Widget;
  label: LocalizedText;
  help?: LocalizedText;
  unit?: LocalizedText;
  required: boolean;
  requiredWhen?: string;
  showWhen?: string;
  min?: number;
  max?: number;
  /** Input step: 1 for whole numbers, 0.1 for one decimal place… */
  step?: number;
  maxLength?: number;
  choices?: Choice[];
  maxItems?: number;
  fields?: UiField[];
}

export interface UiSection {
  key: string;
  title: LocalizedText;
  help?: LocalizedText;
  evidence?: { maxFiles: number; hint?: LocalizedText };
  fields: UiField[];
}

export interface UiRule {
  id: string;
  severity: 'error' | 'warning';
  check: string;
  message: LocalizedText;
  fields: string[];
  yearOverYear: boolean;
}

export interface UiModel {
  formId: string;
  version: string;
  title: LocalizedText;
  periodType: PeriodType;
  sections: UiSection[];
  rules: UiRule[];
  derived: {
    key: string;
    label: LocalizedText;
    unit?: LocalizedText;
    formula: string;
    scale: number;
  }[];
}

const optional = <Key extends string, Value>(key: Key, value: Value | undefined) =>
  (value === undefined ? {} : { [key]: value }) as Partial<Record<Key, Value>>;

const uiField = (field: FieldDefinition | ScalarField): UiField => ({
  key: field.key,
  type: field.type,
  widget: WIDGETS[field.type],
  label: field.label,
  ...optional('help', field.help),
  ...optional('unit', field.unit),
  required: field.required,
  ...optional('requiredWhen', field.requiredWhen),
  ...optional('showWhen', field.showWhen),
  ...('min' in field ? { min: field.min, ...optional('max', field.max) } : {}),
  ...(field.type === 'int' || field.type === 'money' ? { step: 1 } : {}),
  ...(field.type === 'decimal' ? { step: 10 ** -field.scale } : {}),
  ...(field.type === 'text' ? { maxLength: field.maxLength } : {}),
  ...('choices' in field ? { choices: field.choices } : {}),
  ...(field.type === 'group'
    ? { maxItems: field.maxItems, fields: field.fields.map((sub) => uiField(sub)) }
    : {}),
});

export const uiModel = (form: CompiledForm): UiModel => {
  const { definition } = form;
  return {
    formId: definition.formId,
    version: definition.version,
    title: definition.title,
    periodType: definition.periodType,
    sections: definition.sections.map((section) => ({
      key: section.key,
      title: section.title,
      ...optional('help', section.help),
      ...optional('evidence', section.evidence),
      fields: section.fields.map((field) => uiField(field)),
    })),
    rules: form.rules.map((rule) => ({
      id: rule.id,
      severity: rule.severity,
      check: rule.check,
      message: rule.message,
      fields: rule.fields,
      yearOverYear: rule.yearOverYear,
    })),
    derived: form.derived.map((indicator) => ({
      key: indicator.key,
      label: indicator.label,
      ...optional('unit', indicator.unit),
      formula: indicator.formula,
      scale: indicator.scale,
    })),
  };
};
