/**
 * The form page's pure logic, kept apart from the components so it is unit-tested: reading
 * what people type into numbers, what a draft save may carry, how local edits survive a
 * conflicting save by someone else, and what still blocks a submission.
 */

import { canonicalJson } from '../../../domain/canonical-json.js';
import type { FieldError } from '../../../domain/errors.js';
import { compareVersions } from '../../../domain/forms/check.js';
import {
  answeredValues,
  type CompiledForm,
  compileForm,
  type FormValues,
  hiddenFields,
  type RuleViolation,
  type ValidationReport,
  validateDraft,
  validateFinal,
} from '../../../domain/forms/compile.js';
import type { FieldDefinition, FormDefinition } from '../../../domain/forms/definition.js';
import {
  keyInLaterVersion,
  upgradeValues,
  valuesAsLaterVersion,
} from '../../../domain/forms/migrate.js';
import {
  formatYuanAsWan,
  MoneyInputError,
  type MoneyUnit,
  parseMoneyInput,
} from '../../../domain/forms/money.js';
import type { Localized } from '../i18n.js';

export type NumberParse = { value: number | undefined } | { error: Localized };

const NOT_A_NUMBER: Localized = { zh: '请输入数字', en: 'Enter a number' };

/** Full-width digits, thousands separators and a full-width stop, as people type them. */
const normalizeDigits = (text: string) =>
  text
    .trim()
    .replace(/[０-９]/g, (digit) => String.fromCharCode(digit.charCodeAt(0) - 0xfee0))
    .replace(/[，,\s]/g, '')
    .replace(/。|．/g, '.')
    .replace(/－/g, '-');

/** A number input's text: empty is no value; anything not a plain decimal number is an error. */
export const parseNumberText = (text: string): NumberParse => {
  const normalized = normalizeDigits(text);
  if (normalized === '') return { value: undefined };
  if (!/^-?\d+(\.\d+)?$/.test(normalized)) return { error: NOT_A_NUMBER };
  return { value: Number(normalized) };
};

/** Units people write after an amount, longest first so 万元 is not read as 元. */
const UNIT_SUFFIXES: readonly (readonly [string, MoneyUnit])[] = [
  ['万元', 'wan'],
  ['万', 'wan'],
  ['元', 'yuan'],
];

const WRONG_UNIT: Record<MoneyUnit, Localized> = {
  wan: {
    zh: '单位已选万元，只填数字（按元填写请改选元）',
    en: 'The unit is 万元: enter the number only (or choose 元)',
  },
  yuan: {
    zh: '单位已选元，只填数字（按万元填写请改选万元）',
    en: 'The unit is 元: enter the number only (or choose 万元)',
  },
};

/**
 * A money input's text in 元 or 万元, to whole yuan. People often write the unit after the
 * amount (20万, 200000元): the unit already chosen is accepted, another one is refused with
 * a message saying so, since reading it silently would disagree with the unit shown.
 */
export const parseMoneyText = (text: string, unit: MoneyUnit): NumberParse => {
  let amount = text.trim();
  if (amount === '') return { value: undefined };
  const suffix = UNIT_SUFFIXES.find(([written]) => amount.endsWith(written));
  if (suffix) {
    if (suffix[1] !== unit) return { error: WRONG_UNIT[unit] };
    amount = amount.slice(0, -suffix[0].length);
    if (amount.trim() === '') return { error: NOT_A_NUMBER };
  }
  try {
    return { value: parseMoneyInput(amount, unit) };
  } catch (error) {
    if (!(error instanceof MoneyInputError)) throw error;
    if (error.reason === 'fraction-of-yuan') {
      return {
        error:
          unit === 'wan'
            ? { zh: '万元最多 4 位小数（精确到元）', en: 'At most 4 decimals in 万元 (whole yuan)' }
            : { zh: '金额应为整数元', en: 'Must be a whole number of yuan' },
      };
    }
    if (error.reason === 'too-large')
      return { error: { zh: '金额过大', en: 'The amount is too large' } };
    return { error: NOT_A_NUMBER };
  }
};

/** A money value (whole yuan) written in the given unit; no value is empty text. */
export const moneyText = (value: unknown, unit: MoneyUnit) =>
  typeof value === 'number' ? (unit === 'wan' ? formatYuanAsWan(value) : String(value)) : '';

/**
 * A money input after its unit changes. A valid amount is rewritten in the new unit and stays
 * the same amount; text with an error is kept and read again in the new unit, where it may be
 * valid (12.5 元 is an error, 12.5 万元 is not) or still wrong.
 */
export const switchMoneyUnit = (
  text: string,
  from: MoneyUnit,
  to: MoneyUnit,
): { text: string; parsed: NumberParse } => {
  const before = parseMoneyText(text, from);
  if ('error' in before) return { text, parsed: parseMoneyText(text, to) };
  return { text: moneyText(before.value, to), parsed: before };
};

/** Equal values whatever their objects' key order. */
export const sameValue = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b);

const isEmpty = (value: unknown) =>
  value === undefined ||
  value === null ||
  value === '' ||
  (Array.isArray(value) && value.length === 0);

/** Values without empty entries: an emptied input removes the field from the report. */
export const compact = (values: FormValues): FormValues =>
  Object.fromEntries(Object.entries(values).filter(([, value]) => !isEmpty(value)));

/** A path within the values, as the engine names it: the server's `values.` prefix removed. */
export const valuePath = (path: string) => path.replace(/^values\./, '');

/** The top-level field a validation path is about (`incidents.0.date` → `incidents`). */
export const fieldOfPath = (path: string) => valuePath(path).split('.')[0] ?? path;

/** A sub-field's path inside a group entry, named as the engine names it. */
export const entryPath = (group: string, index: number, key: string) => `${group}.${index}.${key}`;

/** Which entry of `group` a path is inside (`incidents.2.date` → 2), and the rest after it. */
const entryOfPath = (group: string, path: string) => {
  const prefix = `${group}.`;
  const match = path.startsWith(prefix) ? /^(\d+)(\..*)?$/.exec(path.slice(prefix.length)) : null;
  return match ? { index: Number(match[1]), rest: match[2] ?? '' } : undefined;
};

/**
 * Errors keyed by path after entry `index` of `group` is removed: that entry's go, and later
 * entries' move down one index, as their entries do, so no error stays on an entry that is gone
 * or lands on the wrong one.
 */
export const withoutEntry = <T>(
  errors: Readonly<Record<string, T>>,
  group: string,
  index: number,
): Record<string, T> => {
  const next: Record<string, T> = {};
  for (const [path, error] of Object.entries(errors)) {
    const entry = entryOfPath(group, path);
    if (entry === undefined || entry.index < index) next[path] = error;
    else if (entry.index > index) next[`${group}.${entry.index - 1}${entry.rest}`] = error;
  }
  return next;
};

/** Errors keyed by path without those of entries at or past `length` (the group shrank). */
export const withinEntries = <T>(
  errors: Readonly<Record<string, T>>,
  group: string,
  length: number,
): Record<string, T> =>
  Object.fromEntries(
    Object.entries(errors).filter(([path]) => (entryOfPath(group, path)?.index ?? -1) < length),
  );

/** Compares field keys by their place in the form. */
const byFormOrder = (form: CompiledForm) => {
  const order = [...form.fields.keys()];
  return (a: string, b: string) => order.indexOf(a) - order.indexOf(b);
};

export interface DraftSave {
  /** What a draft save sends. */
  values: FormValues;
  /** Fields whose edits cannot be saved yet (an input or draft error), in the form's order. */
  held: string[];
}

/**
 * What a draft save sends: every value that passes its own checks. A field still being
 * corrected (text that is not a number, or a value failing its draft checks) keeps its last
 * saved value, because a save replaces the whole report and leaving it out would erase it on
 * the server; it is listed in `held` so the page can say it is not saved. A field hidden by its
 * showWhen is not answered: an edit of it that fails its checks is held back all the same but
 * not listed, as nothing on the page shows it or could correct it.
 */
export const draftSave = (
  form: CompiledForm,
  values: FormValues,
  lastSaved: FormValues,
  inputErrors: Readonly<Record<string, unknown>>,
): DraftSave => {
  const current = compact(values);
  // Input errors may be keyed by a sub-field's path; a save holds back the whole field.
  const typed = new Set(Object.keys(inputErrors).map(fieldOfPath));
  const invalid = new Set([
    ...validateDraft(form, current).fieldErrors.map((error) => fieldOfPath(error.path)),
    ...typed,
  ]);
  const saved = compact(lastSaved);
  const payload: FormValues = Object.fromEntries(
    Object.entries(current).filter(([key]) => !invalid.has(key)),
  );
  const hidden = hiddenFields(form, current);
  const held: string[] = [];
  for (const key of invalid) {
    if (key in saved) payload[key] = saved[key];
    if (hidden.has(key)) continue;
    // Text that is not a number is never saved, even when the value behind it still is.
    if (typed.has(key) || !sameValue(current[key], saved[key])) held.push(key);
  }
  return { values: payload, held: held.sort(byFormOrder(form)) };
};

/**
 * The explanations a draft save sends: each one written for a warning of the form (only
 * warnings are explained), trimmed as the server keeps it, so a save follows only real changes.
 */
export const writtenExplanations = (
  form: CompiledForm,
  explanations: Readonly<Record<string, string>>,
): Record<string, string> =>
  Object.fromEntries(
    form.rules.flatMap((rule) => {
      const text = rule.severity === 'warning' ? explanations[rule.id]?.trim() : undefined;
      return text ? [[rule.id, text] as const] : [];
    }),
  );

/**
 * Keys (fields, or rules explained) whose value differs from the last saved one: each one's
 * value now (null for none) and what it held there (null for none).
 */
export const editsSince = <T>(
  lastSaved: Readonly<Record<string, T>>,
  values: Readonly<Record<string, T>>,
): { edits: Record<string, T | null>; base: Record<string, T | null> } => {
  const edits: Record<string, T | null> = {};
  const base: Record<string, T | null> = {};
  for (const key of new Set([...Object.keys(lastSaved), ...Object.keys(values)])) {
    const value = values[key];
    if (sameValue(lastSaved[key], value)) continue;
    edits[key] = value === undefined || isEmpty(value) ? null : value;
    base[key] = lastSaved[key] ?? null;
  }
  return { edits, base };
};

/** Values (or explanations) with edits applied on top; null removes a key. */
export const withEdits = <T>(
  values: Readonly<Record<string, T>>,
  edits: Readonly<Record<string, T | null>>,
): Record<string, T> => {
  const next: Record<string, T> = { ...values };
  for (const [key, value] of Object.entries(edits)) {
    if (value === null) delete next[key];
    else next[key] = value;
  }
  return next;
};

/**
 * After someone else saved a newer revision: their values (or explanations), with this page's
 * unsaved edits (keys that differ from what this page last saved or loaded) applied on top.
 */
export const mergeAfterConflict = <T>(
  theirs: Readonly<Record<string, T>>,
  lastSaved: Readonly<Record<string, T>>,
  local: Readonly<Record<string, T>>,
): Record<string, T> => withEdits(theirs, editsSince(lastSaved, local).edits);

/**
 * Edits kept over an expired sign-in whose field someone else saved with another value since:
 * what the field held when they were made (`base`, null for nothing) is no longer what it
 * holds now, nor what was typed.
 */
export const overwrittenSince = (
  base: Readonly<Record<string, unknown>>,
  edits: Readonly<Record<string, unknown>>,
  now: FormValues,
): string[] =>
  Object.keys(edits).filter(
    (key) =>
      key in base &&
      !sameValue(base[key] ?? null, now[key] ?? null) &&
      !sameValue(edits[key] ?? null, now[key] ?? null),
  );

export interface Blocker {
  kind: 'field' | 'rule' | 'explanation' | 'input';
  /** The field to jump to. */
  field: string;
  /** Where inside the field, when a sub-field of a group entry (`incidents.0.lossYuan`). */
  path?: string;
  message: Localized;
  ruleId?: string;
}

/** Blockers in the order of the form's fields. */
const inFormOrder = (form: CompiledForm, blockers: Blocker[]): Blocker[] => {
  const compare = byFormOrder(form);
  return blockers.sort((a, b) => compare(a.field, b.field));
};

/** The field a path is about, and the path itself when it points inside the field. */
const fieldAndPath = (path: string): { field: string; path?: string } => {
  const field = fieldOfPath(path);
  const inner = valuePath(path);
  return inner === field ? { field } : { field, path: inner };
};

const RULE_PATH = 'rules.';
const EXPLANATION_PATH = 'explanations.';

/**
 * What the server refused a submission for (its problem's `errors`), pointing where to fix it:
 * `values.<field>` at the field, `rules.<ruleId>` and `explanations.<ruleId>` at the first field
 * the rule is about that is not `hidden`. An explanation keeps the rule's own warning, as the
 * list says it needs one.
 */
export const blockersFromServer = (
  form: CompiledForm,
  errors: readonly FieldError[],
  hidden: ReadonlySet<string> = new Set(),
): Blocker[] =>
  inFormOrder(
    form,
    errors.map((error): Blocker => {
      const about = error.path.startsWith(RULE_PATH)
        ? 'rule'
        : error.path.startsWith(EXPLANATION_PATH)
          ? 'explanation'
          : undefined;
      if (!about) return { kind: 'field', ...fieldAndPath(error.path), message: error.message };
      const ruleId = error.path.slice(
        about === 'rule' ? RULE_PATH.length : EXPLANATION_PATH.length,
      );
      const rule = form.rules.find((candidate) => candidate.id === ruleId);
      return {
        kind: about,
        field: rule ? ruleField(rule, hidden) : '',
        message: about === 'explanation' && rule ? rule.message : error.message,
        ruleId,
      };
    }),
  );

/**
 * The field a rule's message, explanation box and blocker go to: its first field shown. A rule
 * reads a hidden field as blank, so one naming it inside present(), count() or coalesce() may
 * still fail, and must be shown where it can be seen and explained.
 */
export const ruleField = (
  violation: Pick<RuleViolation, 'fields'>,
  hidden: ReadonlySet<string>,
): string => violation.fields.find((key) => !hidden.has(key)) ?? violation.fields[0] ?? '';

/**
 * Everything that stops a final submission, in the order of the form. A field hidden by its
 * showWhen stops nothing: validation does not check it, and text typed into it before it was
 * hidden is not saved (see `draftSave`).
 */
export const submissionBlockers = (
  form: CompiledForm,
  values: FormValues,
  previous: FormValues | undefined,
  explanations: Readonly<Record<string, string>>,
  inputErrors: Readonly<Record<string, Localized>>,
): { blockers: Blocker[]; report: ValidationReport } => {
  const current = compact(values);
  const report = validateFinal(form, current, previous);
  const hidden = hiddenFields(form, current);
  const blockers: Blocker[] = [
    ...Object.entries(inputErrors)
      .filter(([path]) => !hidden.has(fieldOfPath(path)))
      .map(([path, message]) => ({
        kind: 'input' as const,
        ...fieldAndPath(path),
        message,
      })),
    ...report.fieldErrors.map((error) => ({
      kind: 'field' as const,
      ...fieldAndPath(error.path),
      message: error.message,
    })),
    ...report.ruleErrors.map((violation) => ({
      kind: 'rule' as const,
      field: ruleField(violation, hidden),
      message: violation.message,
      ruleId: violation.ruleId,
    })),
    ...report.warnings
      .filter((warning) => !explanations[warning.ruleId]?.trim())
      .map((warning) => ({
        kind: 'explanation' as const,
        field: ruleField(warning, hidden),
        message: warning.message,
        ruleId: warning.ruleId,
      })),
  ];
  return { blockers: inFormOrder(form, blockers), report };
};

export const isNumeric = (field: FieldDefinition) =>
  field.type === 'int' || field.type === 'decimal' || field.type === 'money';

export interface VersionMove {
  /** The values as the later version holds them: renamed ones moved, dropped ones gone. */
  values: FormValues;
  /** Fields the later version asks for that the report's version did not have. */
  added: FieldDefinition[];
  /** Fields with a value that the later version no longer collects, in the report's version. */
  dropped: FieldDefinition[];
  /** Groups the later version keeps only in part: sub-values its retyped sub-fields cannot hold. */
  trimmed: FieldDefinition[];
}

/**
 * What moving a draft from its version (`from`) onto a later one does to its values, through
 * the migrations of `later` (each version after `from`, up to the target, in any order; the
 * target is the newest). What goes is still in the report's earlier revisions.
 */
export const moveToVersion = (
  from: FormDefinition,
  later: readonly FormDefinition[],
  values: FormValues,
): VersionMove => {
  const fieldsOf = (definition: FormDefinition) =>
    definition.sections.flatMap((section) => section.fields);
  const target = [...later].sort((a, b) => compareVersions(a.version, b.version)).at(-1) ?? from;
  const moved = upgradeValues(later, from.version, compact(values));
  // Where each field of the report's version is in the target, through every rename: the
  // target's other fields are new there.
  const keyInTarget = new Map(
    fieldsOf(from).map((field) => [field, keyInLaterVersion(later, from.version, field.key)]),
  );
  const carried = new Set(keyInTarget.values());
  return {
    values: moved,
    added: fieldsOf(target).filter((field) => !carried.has(field.key)),
    // A value goes when its field was dropped on the way, or did not fit a retype.
    dropped: fieldsOf(from).filter((field) => {
      if (isEmpty(values[field.key])) return false;
      const key = keyInTarget.get(field);
      return key === undefined || !(key in moved);
    }),
    trimmed: fieldsOf(from).filter((field) => {
      const key = keyInTarget.get(field);
      return (
        field.type === 'group' &&
        key !== undefined &&
        key in moved &&
        !sameValue(moved[key], values[field.key])
      );
    }),
  };
};

/**
 * A previous report's values as `form` (its version, `compiled`) reads them, as the server
 * does: without the fields the report's own version hides, then through the migrations of
 * every version since. `definitionOf` loads the definition of another version.
 */
export const previousAsVersion = async (
  form: { version: string; versions: readonly string[]; definition: FormDefinition },
  compiled: CompiledForm,
  earlier: { formVersion: string; values: FormValues },
  definitionOf: (version: string) => Promise<FormDefinition>,
): Promise<FormValues> => {
  if (earlier.formVersion === form.version) return answeredValues(compiled, earlier.values);
  const since = await Promise.all(
    form.versions
      .filter(
        (version) =>
          compareVersions(version, earlier.formVersion) >= 0 &&
          compareVersions(version, form.version) < 0,
      )
      .map(definitionOf),
  );
  const own = since.find((definition) => definition.version === earlier.formVersion);
  return valuesAsLaterVersion(
    own && compileForm(own),
    [...since, form.definition],
    earlier.formVersion,
    earlier.values,
  );
};

/**
 * What to tell the people reading a report written under an older version of its form: it is
 * shown, checked and kept under its own version, and the province compares it through the
 * changes since. Nothing for a report on the active version.
 */
export const olderVersionNotice = (
  form: { version: string; versions: readonly string[] },
  active = form.versions.at(-1),
): Localized | undefined =>
  active === undefined || active === form.version
    ? undefined
    : {
        zh: `本报告按表单 ${form.version} 版填写（现行为 ${active} 版），按原版本显示和校验；省馆汇总时按现行版本对照。`,
        en: `This report uses form version ${form.version} (the current one is ${active}); it is shown and checked under its own version, and the province compares it under the current one.`,
      };
