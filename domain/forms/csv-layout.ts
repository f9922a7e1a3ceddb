/**
 * How a form's values become CSV cells: one column per field, headed by the Chinese label
 * (with its unit) in the Excel file and by the field key in the codes file.
 */
import type { CompiledForm } from './compile.js';
import type { FieldDefinition } from './definition.js';

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

/**
 * One cell: numbers plain, missing values empty, multi-choice codes joined with `;` (the
 * Chinese file shows the choice labels), yes/no as 是/否 for people and true/false for programs,
 * and repeated groups as JSON.
 */
/** A choice's Chinese label, or the code itself when the field has no such choice. */
const labelOf = (field: FieldDefinition, code: string) =>
  'choices' in field
    ? (field.choices.find((choice) => choice.code === code)?.label.zh ?? code)
    : code;

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
      return Array.isArray(value) && value.length > 0 ? JSON.stringify(value) : '';
    case 'text':
      return variant === 'zh' ? neutralizeFormula(String(value)) : String(value);
    default:
      return String(value);
  }
};
