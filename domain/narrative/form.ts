/**
 * The extraction for one compiled form: the fields' types and bounds go to the engine, and
 * the suggestions are checked against the form's error rules (new acquisitions within total
 * holdings, established plus other staff equal to total staff…): when suggestions break a
 * rule together, none of them is suggested. Uses the forms engine, so it belongs to the
 * server side; the engine itself (extract.ts) needs no zod.
 */
import { compareVersions, topLevelFields } from '../forms/check.js';
import { type CompiledForm, evaluateRules } from '../forms/compile.js';
import type { FormDefinition } from '../forms/definition.js';
import { definitionsUpTo, keyInLaterVersion } from '../forms/migrate.js';
import { extractNarrative } from './extract.js';
import { labelRule } from './label-rules.js';
import type { NarrativeFieldSpec, NarrativeImport } from './model.js';
import { FIELD_RULES, type FieldRule, RULES_FORM } from './rules.js';

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

/**
 * The key each field of `form` has in the version the rules name (RULES_FORM), where its
 * migrations since (or until) that version renamed it; fields they do not reach keep their
 * key, unless the rules' version gives that key to another field.
 */
const rulesKeysOf = (
  form: CompiledForm,
  rulesDefinition: FormDefinition | undefined,
  definitions: readonly FormDefinition[],
): Map<string, string> => {
  const rulesKeys = new Map<string, string>();
  const { version } = form.definition;
  if (rulesDefinition && version !== RULES_FORM.version) {
    const formIsOlder = compareVersions(version, RULES_FORM.version) < 0;
    const [older, newer] = formIsOlder
      ? [form.definition, rulesDefinition]
      : [rulesDefinition, form.definition];
    const upToNewer = definitionsUpTo(definitions, newer.version);
    for (const { field } of topLevelFields(older)) {
      const later = keyInLaterVersion(upToNewer, older.version, field.key);
      if (later === undefined) continue;
      if (formIsOlder) rulesKeys.set(field.key, later);
      else rulesKeys.set(later, field.key);
    }
  }
  const taken = new Set(rulesKeys.values());
  for (const key of form.fields.keys()) {
    if (!rulesKeys.has(key) && !taken.has(key)) rulesKeys.set(key, key);
  }
  return rulesKeys;
};

const WRITTEN_RULE_FIELDS: ReadonlySet<string> = new Set(FIELD_RULES.map((rule) => rule.field));

/**
 * Label rules (`label-rules.ts`) for the number fields no written rule names: those the
 * rules' version of the form lacks, such as a field the office added since. A field that
 * version has without a rule is left unread on purpose (docs/narrative-import.md), so the
 * rules' form without that version at hand gets none: its added fields cannot be told.
 */
const labelRulesOf = (
  form: CompiledForm,
  rulesKeys: ReadonlyMap<string, string>,
  rulesDefinition: FormDefinition | undefined,
): FieldRule[] => {
  if (form.definition.formId === RULES_FORM.formId && !rulesDefinition) return [];
  const rulesVersionKeys = new Set(
    rulesDefinition ? topLevelFields(rulesDefinition).map(({ field }) => field.key) : [],
  );
  return [...form.fields.values()].flatMap((field) => {
    const key = rulesKeys.get(field.key);
    if (key === undefined || WRITTEN_RULE_FIELDS.has(key) || rulesVersionKeys.has(key)) return [];
    const rule = labelRule({
      key,
      type: field.type,
      label: field.label.zh,
      ...('unit' in field && field.unit ? { unit: field.unit.zh } : {}),
    });
    return rule ? [rule] : [];
  });
};

/**
 * Suggestions for a draft of `form` from its pasted work summary. `definitions`, every version
 * of the form, let the rules find fields renamed since the version they name (RULES_FORM), and
 * tell the fields added since, which are read by their labels.
 */
export const importNarrative = (
  form: CompiledForm,
  text: string,
  definitions: readonly FormDefinition[] = [form.definition],
): NarrativeImport => {
  const rulesDefinition =
    form.definition.formId === RULES_FORM.formId
      ? definitions.find((definition) => definition.version === RULES_FORM.version)
      : undefined;
  const rulesKeys = rulesKeysOf(form, rulesDefinition, definitions);
  const formKeys = new Map([...rulesKeys].map(([formKey, rulesKey]) => [rulesKey, formKey]));
  const asForm = (key: string) => formKeys.get(key) ?? key;
  // A figure for a field the form lacks keeps the rules' key, unless the form has another
  // field of that name (a key given to a new field after a rename): then it names none.
  const unmappedFieldKey = (key: string | null) =>
    key === null ? null : (formKeys.get(key) ?? (form.fields.has(key) ? null : key));
  const fields = new Map<string, NarrativeFieldSpec>();
  for (const [key, spec] of narrativeFieldsOf(form)) {
    const rulesKey = rulesKeys.get(key);
    if (rulesKey !== undefined) fields.set(rulesKey, spec);
  }
  const found = extractNarrative(text, {
    fields,
    periodType: form.definition.periodType,
    labelRules: labelRulesOf(form, rulesKeys, rulesDefinition),
  });
  const result: NarrativeImport = {
    values: Object.fromEntries(
      Object.entries(found.values).map(([key, value]) => [asForm(key), value]),
    ),
    evidence: found.evidence.map((item) => ({ ...item, field: asForm(item.field) })),
    unmapped: found.unmapped.map((item) => ({ ...item, field: unmappedFieldKey(item.field) })),
  };
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
