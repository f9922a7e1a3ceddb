/**
 * How a form's values become CSV cells: one column per field, headed by the Chinese label
 * (with its unit) in the Excel file and by the field key in the codes file.
 */
import type { CompiledForm } from './compile.js';
import type { FieldDefinition, GroupField, ScalarField } from './definition.js';

export interface CsvColumn {
  key: string;
  /** Header of the Chinese file, e.g. `总藏量（册(件)）`. */
  label: string;
  field: FieldDefinition;
}

export type CsvVariant = 'zh' | 'codes';
/** Every variant, in the order a table's files are written. */
export const CSV_VARIANTS = ['zh', 'codes'] as const satisfies readonly CsvVariant[];

export const csvColumns = (form: CompiledForm): CsvColumn[] =>
  [...form.fields.values()].map((field) => ({
    key: field.key,
    label: field.unit ? `${field.label.zh}（${field.unit.zh}）` : field.label.zh,
    field,
  }));

/** List cells are joined with `;`, as the design's outputs say. */
export const LIST_SEPARATOR = ';';

/**
 * Spreadsheets run a cell starting with = + - @ (or a tab or carriage return) as a formula; a
 * library's free text must open as text, so the Excel file prefixes it with an apostrophe.
 */
const neutralizeFormula = (text: string) => (/^[=+\-@\t\r]/.test(text) ? `'${text}` : text);

/** A choice's Chinese label, or the code itself when the field has no such choice. */
const labelOf = (field: FieldDefinition, code: string) =>
  'choices' in field
    ? (field.choices.find((choice) => choice.code === code)?.label.zh ?? code)
    : code;

/** Items of a repeated group in the Excel file, apart from each other as list cells are. */
export const GROUP_ITEM_SEPARATOR = LIST_SEPARATOR;
/** Sub-fields within one item; full-width, so an item never splits where the items do. */
const GROUP_PART_SEPARATOR = '，';
/** Choices of a multi-choice sub-field: the list separator is taken by the items. */
const GROUP_LIST_SEPARATOR = '、';

/** One sub-field of a group item for people, e.g. `损失金额：129000元`; empty when missing. */
const groupPart = (field: ScalarField, value: unknown): string => {
  if (value === undefined || value === null || value === '') return '';
  let text: string;
  switch (field.type) {
    case 'bool':
      text = value ? '是' : '否';
      break;
    case 'choice':
      text = labelOf(field, String(value));
      break;
    case 'multi':
      if (!Array.isArray(value) || value.length === 0) return '';
      text = value.map((code) => labelOf(field, String(code))).join(GROUP_LIST_SEPARATOR);
      break;
    case 'int':
    case 'decimal':
    case 'money':
      text = `${String(value)}${field.unit?.zh ?? ''}`;
      break;
    default:
      text = String(value);
  }
  return `${field.label.zh}：${text}`;
};

/**
 * A repeated group for people: each item its sub-fields' labels and values (choice labels,
 * units) in the form's order, items joined with `;` like every list cell, e.g.
 * `日期：2025-07-30，类型：洪灾，描述：…，损失金额：129000元`.
 */
const groupCell = (field: GroupField, items: unknown[]) =>
  items
    .map((item) => {
      const values: Record<string, unknown> =
        typeof item === 'object' && item !== null ? { ...item } : {};
      return field.fields
        .map((sub) => groupPart(sub, values[sub.key]))
        .filter((part) => part !== '')
        .join(GROUP_PART_SEPARATOR);
    })
    .filter((text) => text !== '')
    .join(GROUP_ITEM_SEPARATOR);

/**
 * One cell: numbers plain, missing values empty, multi-choice codes joined with `;` (the
 * Chinese file shows the choice labels), yes/no as 是/否 for people and true/false for programs,
 * and repeated groups as readable items for people and as JSON for programs.
 */
export const formatCell = (field: FieldDefinition, value: unknown, variant: CsvVariant): string => {
  if (value === undefined || value === null) return '';
  switch (field.type) {
    case 'bool':
      return variant === 'zh' ? (value ? '是' : '否') : String(value);
    case 'choice':
      return variant === 'zh' ? labelOf(field, String(value)) : String(value);
    case 'multi':
      return Array.isArray(value)
        ? value
            .map((code) => (variant === 'zh' ? labelOf(field, String(code)) : String(code)))
            .join(LIST_SEPARATOR)
        : '';
    case 'group':
      if (!Array.isArray(value) || value.length === 0) return '';
      // The item's first label leads the cell; neutralized all the same should a form's label
      // ever start like a formula.
      return variant === 'zh' ? neutralizeFormula(groupCell(field, value)) : JSON.stringify(value);
    case 'text':
      return variant === 'zh' ? neutralizeFormula(String(value)) : String(value);
    default:
      return String(value);
  }
};
