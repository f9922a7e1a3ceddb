/** What the nightly rollup compares for a form, as declared in its `rollup` section. */
import type { CompiledForm } from './compile.js';
import type { Choice } from './definition.js';
import type { LocalizedText } from './primitives.js';

export interface RollupMetric {
  key: string;
  label: LocalizedText;
  unit?: LocalizedText;
  source: 'field' | 'derived';
  /** Numeric metrics get ranks, medians and quartiles; yes/no and choices get counts. */
  numeric: boolean;
  /** Decimal places kept in exports (derived indicators). */
  scale?: number;
}

export interface RollupSpec {
  compare: RollupMetric[];
  yearOverYear: RollupMetric[];
  problems?: { key: string; choices: Choice[] };
}

const NUMERIC = new Set(['int', 'decimal', 'money']);

export const rollupSpec = (form: CompiledForm): RollupSpec => {
  const metric = (key: string): RollupMetric => {
    const field = form.fields.get(key);
    if (field) {
      return {
        key,
        label: field.label,
        ...(field.unit ? { unit: field.unit } : {}),
        source: 'field',
        numeric: NUMERIC.has(field.type),
      };
    }
    const indicator = form.derived.find((candidate) => candidate.key === key);
    if (!indicator) throw new Error(`Unknown rollup metric ${key}`);
    return {
      key,
      label: indicator.label,
      ...(indicator.unit ? { unit: indicator.unit } : {}),
      source: 'derived',
      numeric: true,
      scale: indicator.scale,
    };
  };
  const { rollup } = form.definition;
  const problemsField =
    rollup.problems === undefined ? undefined : form.fields.get(rollup.problems);
  return {
    compare: rollup.compare.map(metric),
    yearOverYear: rollup.yearOverYear.map(metric),
    ...(problemsField && problemsField.type === 'multi'
      ? { problems: { key: problemsField.key, choices: problemsField.choices } }
      : {}),
  };
};
