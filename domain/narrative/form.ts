/**
 * The extraction for one compiled form: the fields' types and bounds go to the engine, and
 * the suggestions are checked against the form's error rules (new acquisitions within total
 * holdings, established plus other staff equal to total staff…): when suggestions break a
 * rule together, none of them is suggested. Uses the forms engine, so it belongs to the
 * server side; the engine itself (extract.ts) needs no zod.
 */
import { type CompiledForm, evaluateRules } from '../forms/compile.js';
import { extractNarrative } from './extract.js';
import type { NarrativeFieldSpec, NarrativeImport } from './model.js';

export const narrativeFieldsOf = (form: CompiledForm): Map<string, NarrativeFieldSpec> => {
  const fields = new Map<string, NarrativeFieldSpec>();
  for (const field of form.fields.values()) {
    const spec: NarrativeFieldSpec = { type: field.type };
    if ('min' in field) spec.min = field.min;
    if ('max' in field && field.max !== undefined) spec.max = field.max;
    if ('scale' in field) spec.scale = field.scale;
    if ('choices' in field) spec.choices = field.choices.map((choice) => choice.code);
    if ('maxLength' in field) spec.maxLength = field.maxLength;
    fields.set(field.key, spec);
  }
  return fields;
};

export const importNarrative = (form: CompiledForm, text: string): NarrativeImport => {
  const result = extractNarrative(text, {
    fields: narrativeFieldsOf(form),
    periodType: form.definition.periodType,
  });
  const { ruleErrors } = evaluateRules(form, result.values);
  const broken = new Set(
    ruleErrors
      .filter((violation) => violation.fields.every((field) => field in result.values))
      .flatMap((violation) => violation.fields),
  );
  if (broken.size === 0) return result;
  const values = Object.fromEntries(
    Object.entries(result.values).filter(([field]) => !broken.has(field)),
  );
  const dropped = result.evidence.filter((item) => broken.has(item.field));
  return {
    values,
    evidence: result.evidence.filter((item) => !broken.has(item.field)),
    unmapped: [
      ...result.unmapped,
      ...dropped.map((item) => ({
        text: text.slice(item.start, item.end),
        value: item.value,
        unit: '',
        qualifier: item.qualifier,
        quote: item.quote,
        start: item.start,
        end: item.end,
        field: item.field,
        reason: 'ruleConflict' as const,
      })),
    ].sort((a, b) => a.start - b.start),
  };
};
