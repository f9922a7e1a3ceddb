/**
 * One field of the form, rendered from the UI model: the input (its `name` is the field key),
 * its unit, the previous period's value, help, and the messages about it. Number inputs keep
 * the text as typed (plain, no separators); the value they report is the parsed number.
 */
import type { ComponentChildren } from 'preact';
import {
  type Dispatch,
  type StateUpdater,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'preact/hooks';
import type { MoneyUnit } from '../../../domain/forms/money.js';
import type { UiField } from '../../../domain/forms/ui-model.js';
import { type Localized, type Translator, useT } from '../i18n.js';
import {
  entryPath,
  moneyText,
  type NumberParse,
  parseMoneyText,
  parseNumberText,
  sameValue,
  switchMoneyUnit,
  withinEntries,
  withoutEntry,
} from './draft-state.js';

export interface FieldMessage {
  kind: 'error' | 'warning' | 'comment';
  text: Localized | string;
  id?: string;
  /**
   * The sub-field of a group entry it is about, as the engine names paths
   * (`incidents.0.lossYuan`); shown there. Without one it is about the whole field.
   */
  path?: string;
}

export interface FieldProps {
  field: UiField;
  /** Path of the input: the key, or `group.index.key` inside a group. */
  name: string;
  value: unknown;
  onChange: (value: unknown) => void;
  /** Text that cannot be read as a value; `path` names the group entry's sub-field it is in. */
  onInputError: (error: Localized | undefined, path?: string) => void;
  messages: FieldMessage[];
  previous?: unknown;
  readOnly: boolean;
  /** Extra content under the field, e.g. a warning's explanation box. */
  children?: ComponentChildren;
}

/** Long text shown beside a field is a reminder, cut at this many characters. */
const SHOWN_TEXT_LENGTH = 60;
/** A text's character count shows from this share of its limit on, before it is reached. */
const COUNTER_FROM = 0.8;

const inputId = (name: string) => `field-${name.replace(/\./g, '-')}`;

/** A value as the library would read it beside a field (last period's, someone else's). */
export const shownValue = (field: UiField, value: unknown, t: Translator): string | undefined => {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'number') {
    return field.widget === 'money'
      ? `${t.number(value, 0)} ${t('元', 'yuan')}`
      : `${t.number(value)}${field.unit ? ` ${t(field.unit)}` : ''}`;
  }
  if (typeof value === 'boolean') return value ? t('是', 'Yes') : t('否', 'No');
  const choiceLabel = (code: unknown) => {
    const choice = field.choices?.find((candidate) => candidate.code === code);
    return choice ? t(choice.label) : String(code);
  };
  if (Array.isArray(value))
    return field.widget === 'group'
      ? t(`${value.length} 条`, `${value.length} entries`)
      : value.map(choiceLabel).join('、');
  if (field.choices) return choiceLabel(value);
  const text = String(value);
  return text.length > SHOWN_TEXT_LENGTH ? `${text.slice(0, SHOWN_TEXT_LENGTH)}…` : text;
};

const NumberInput = (props: FieldProps & { describedBy: string; invalid: boolean }) => {
  const t = useT();
  const { field } = props;
  const [unit, setUnit] = useState<MoneyUnit>('wan');
  const isMoney = field.widget === 'money';
  const format = (value: unknown, moneyUnit: MoneyUnit) =>
    isMoney ? moneyText(value, moneyUnit) : typeof value === 'number' ? String(value) : '';
  const parse = (text: string, moneyUnit: MoneyUnit): NumberParse =>
    isMoney ? parseMoneyText(text, moneyUnit) : parseNumberText(text);
  const [text, setText] = useState(() => format(props.value, unit));
  const emitted = useRef<unknown>(props.value);
  // The conversion is of the text as it stands: beside an error it would show a stale amount.
  const current = isMoney ? parse(text, unit) : undefined;
  const converted = current && 'value' in current ? current.value : undefined;

  // A value changed from outside (a reload, a merge) replaces the text; typing does not.
  useEffect(() => {
    if (sameValue(emitted.current, props.value)) return;
    emitted.current = props.value;
    setText(format(props.value, unit));
    props.onInputError(undefined);
  }, [props.value]);

  const report = (parsed: NumberParse) => {
    if ('error' in parsed) {
      props.onInputError(parsed.error);
    } else {
      props.onInputError(undefined);
      if (sameValue(emitted.current, parsed.value)) return;
      emitted.current = parsed.value;
      props.onChange(parsed.value);
    }
  };
  const update = (nextText: string, nextUnit: MoneyUnit) => {
    setText(nextText);
    report(parse(nextText, nextUnit));
  };

  return (
    <div class="input-row">
      <input
        id={inputId(props.name)}
        name={props.name}
        type="text"
        inputMode={
          field.widget === 'integer' || (isMoney && unit === 'yuan') ? 'numeric' : 'decimal'
        }
        autoComplete="off"
        value={text}
        readOnly={props.readOnly}
        aria-invalid={props.invalid}
        aria-describedby={props.describedBy}
        onInput={(event) => update(event.currentTarget.value, unit)}
      />
      {isMoney ? (
        <select
          aria-label={t(`${t(field.label)}的单位`, `Unit of ${t(field.label)}`)}
          value={unit}
          disabled={props.readOnly}
          onChange={(event) => {
            const nextUnit = event.currentTarget.value as MoneyUnit;
            // A valid amount is only written differently; text with an error is read again,
            // so the error shown is about the text in the unit now chosen.
            const switched = switchMoneyUnit(text, unit, nextUnit);
            setUnit(nextUnit);
            setText(switched.text);
            report(switched.parsed);
          }}
        >
          <option value="wan">{t('万元', '10k yuan (万元)')}</option>
          <option value="yuan">{t('元', 'yuan')}</option>
        </select>
      ) : field.unit ? (
        <span class="unit">{t(field.unit)}</span>
      ) : null}
      {unit === 'wan' && converted !== undefined ? (
        <span class="conversion" aria-live="polite">
          = {t.number(converted, 0)} {t('元', 'yuan')}
        </span>
      ) : null}
    </div>
  );
};

const ChoiceInputs = (props: FieldProps & { describedBy: string; invalid: boolean }) => {
  const t = useT();
  const { field } = props;
  if (field.widget === 'select') {
    return (
      <select
        id={inputId(props.name)}
        name={props.name}
        value={typeof props.value === 'string' ? props.value : ''}
        disabled={props.readOnly}
        aria-invalid={props.invalid}
        aria-describedby={props.describedBy}
        onChange={(event) => props.onChange(event.currentTarget.value || undefined)}
      >
        <option value="">{t('（请选择）', '(choose)')}</option>
        {field.choices?.map((choice) => (
          <option key={choice.code} value={choice.code}>
            {t(choice.label)}
          </option>
        ))}
      </select>
    );
  }
  if (field.widget === 'toggle') {
    return (
      <fieldset
        class="choice-row"
        aria-labelledby={`${inputId(props.name)}-label`}
        aria-describedby={props.describedBy}
      >
        {[true, false].map((option) => (
          <label key={String(option)} class="choice">
            <input
              type="radio"
              name={props.name}
              value={String(option)}
              checked={props.value === option}
              disabled={props.readOnly}
              onChange={() => props.onChange(option)}
            />
            {option ? t('是', 'Yes') : t('否', 'No')}
          </label>
        ))}
      </fieldset>
    );
  }
  const selected = Array.isArray(props.value) ? (props.value as string[]) : [];
  return (
    <fieldset
      class="choice-grid"
      aria-labelledby={`${inputId(props.name)}-label`}
      aria-describedby={props.describedBy}
    >
      {field.choices?.map((choice) => (
        <label key={choice.code} class="choice">
          <input
            type="checkbox"
            name={props.name}
            value={choice.code}
            checked={selected.includes(choice.code)}
            disabled={props.readOnly}
            onChange={(event) => {
              const codes = event.currentTarget.checked
                ? [...selected, choice.code]
                : selected.filter((code) => code !== choice.code);
              // Stored in the definition's order, whatever order they were ticked in.
              props.onChange(
                field.choices?.map((c) => c.code).filter((code) => codes.includes(code)),
              );
            }}
          />
          {t(choice.label)}
        </label>
      ))}
    </fieldset>
  );
};

/** Input errors of a group's sub-fields, by path (`incidents.0.lossYuan`). */
type EntryErrors = Record<string, Localized>;

/**
 * What the page is told about a group whose sub-fields have input errors: one error, naming the
 * first entry and sub-field, at that sub-field's path (the page holds the field's save back,
 * lists it, and its link goes there).
 */
const entryErrorsSummary = (
  group: string,
  subFields: readonly UiField[],
  errors: EntryErrors,
): { path: string; error: Localized } | undefined => {
  const found = Object.entries(errors)
    .map(([path, error]) => {
      const [index = '', key = ''] = path.slice(group.length + 1).split('.');
      return { path, index: Number(index), sub: subFields.findIndex((s) => s.key === key), error };
    })
    .sort((a, b) => a.index - b.index || a.sub - b.sub);
  const first = found[0];
  if (!first) return undefined;
  const label = subFields[first.sub]?.label ?? { zh: '', en: '' };
  const more = found.length - 1;
  return {
    path: first.path,
    error: {
      zh: `第 ${first.index + 1} 条（${label.zh}）${first.error.zh}${more > 0 ? `；另有 ${more} 处有误` : ''}`,
      en: `Entry ${first.index + 1} (${label.en}): ${first.error.en}${more > 0 ? `; ${more} more` : ''}`,
    },
  };
};

const GroupInput = (
  props: FieldProps & {
    describedBy: string;
    entryErrors: EntryErrors;
    setEntryErrors: Dispatch<StateUpdater<EntryErrors>>;
  },
) => {
  const t = useT();
  const entries = Array.isArray(props.value) ? (props.value as Record<string, unknown>[]) : [];
  const subFields = props.field.fields ?? [];
  const { setEntryErrors } = props;
  // Stable keys, so removing an entry removes its inputs (and their text still being typed)
  // rather than handing them to the entry that moves up into its place.
  const keys = useRef<number[]>([]);
  const nextKey = useRef(0);
  while (keys.current.length < entries.length) keys.current.push(nextKey.current++);
  if (keys.current.length > entries.length) keys.current = keys.current.slice(0, entries.length);

  // Entries gone some other way (a reload, a merge) take their errors with them.
  useEffect(() => {
    setEntryErrors((current) => {
      const next = withinEntries(current, props.name, entries.length);
      return Object.keys(next).length === Object.keys(current).length ? current : next;
    });
  }, [entries.length]);

  const replace = (index: number, entry: Record<string, unknown> | undefined) => {
    const next = entries.flatMap((current, position) =>
      position === index ? (entry ? [entry] : []) : [current],
    );
    props.onChange(next);
  };
  const remove = (index: number) => {
    keys.current.splice(index, 1);
    setEntryErrors((current) => withoutEntry(current, props.name, index));
    replace(index, undefined);
  };
  return (
    <div class="group-entries" aria-describedby={props.describedBy}>
      {entries.map((entry, index) => (
        <fieldset key={keys.current[index]} class="group-entry">
          <legend>
            {t(props.field.label)} {index + 1}
          </legend>
          {subFields.map((sub) => {
            const path = entryPath(props.name, index, sub.key);
            const typed = props.entryErrors[path];
            return (
              <FieldInput
                key={sub.key}
                field={sub}
                name={path}
                value={entry[sub.key]}
                readOnly={props.readOnly}
                messages={[
                  ...(typed ? [{ kind: 'error' as const, text: typed }] : []),
                  ...props.messages.filter((message) => message.path === path),
                ]}
                onInputError={(error) =>
                  setEntryErrors((current) => {
                    if (!error && !(path in current)) return current;
                    const { [path]: _cleared, ...rest } = current;
                    return error ? { ...rest, [path]: error } : rest;
                  })
                }
                onChange={(value) => {
                  const { [sub.key]: _replaced, ...rest } = entry;
                  replace(
                    index,
                    value === undefined || value === '' ? rest : { ...rest, [sub.key]: value },
                  );
                }}
              />
            );
          })}
          {props.readOnly ? null : (
            <button type="button" class="link-button" onClick={() => remove(index)}>
              {t('删除此条', 'Remove this entry')}
            </button>
          )}
        </fieldset>
      ))}
      {props.readOnly ||
      entries.length >= (props.field.maxItems ?? Number.POSITIVE_INFINITY) ? null : (
        <button
          type="button"
          class="button secondary"
          onClick={() => props.onChange([...entries, {}])}
        >
          {t('添加一条', 'Add an entry')}
        </button>
      )}
    </div>
  );
};

export const FieldInput = (props: FieldProps) => {
  const t = useT();
  const { field } = props;
  const id = inputId(props.name);
  const helpId = `${id}-help`;
  const isGroup = field.widget === 'group';

  // A group keeps its sub-fields' input errors itself, each shown at its sub-field, and tells
  // the page one of them, at its path, so the page does not show it under the group again.
  const [entryErrors, setEntryErrors] = useState<EntryErrors>({});
  const summary = useMemo(
    () => (isGroup ? entryErrorsSummary(props.name, field.fields ?? [], entryErrors) : undefined),
    [entryErrors],
  );
  useEffect(() => {
    if (isGroup) props.onInputError(summary?.error, summary?.path);
  }, [summary]);
  const entryCount = isGroup && Array.isArray(props.value) ? props.value.length : 0;
  const subPaths = new Set(
    Array.from({ length: entryCount }, (_, index) =>
      (field.fields ?? []).map((sub) => entryPath(props.name, index, sub.key)),
    ).flat(),
  );
  const messages = isGroup
    ? props.messages.filter((message) => !(message.path && subPaths.has(message.path)))
    : props.messages;

  // Text is never cut at its limit: the count says how far over it is and the engine's length
  // error holds the field back until it is shortened.
  const textLength =
    field.widget === 'textarea' && typeof props.value === 'string' ? props.value.length : 0;
  const limit = field.widget === 'textarea' ? field.maxLength : undefined;
  const counted = limit !== undefined && textLength >= limit * COUNTER_FROM;
  const over = limit !== undefined && textLength > limit;
  const counterId = `${id}-count`;

  const messageIds = messages.map((message, index) => message.id ?? `${id}-message-${index}`);
  const describedBy = [field.help ? helpId : '', counted ? counterId : '', ...messageIds]
    .filter(Boolean)
    .join(' ');
  const invalid = over || messages.some((message) => message.kind === 'error');
  const previous = shownValue(field, props.previous, t);
  const usesFieldset =
    field.widget === 'toggle' || field.widget === 'checkboxes' || field.widget === 'group';
  const label = (
    <span class="field-label-text">
      {t(field.label)}
      {field.required ? (
        <span class="required" title={t('必填', 'Required')}>
          {' '}
          *
        </span>
      ) : null}
    </span>
  );
  const common = { ...props, messages, describedBy, invalid };
  return (
    <div
      class={`field field-${field.widget}${invalid ? ' has-error' : ''}`}
      data-field={props.name}
    >
      {usesFieldset ? (
        <p class="field-label" id={`${id}-label`}>
          {label}
        </p>
      ) : (
        <label class="field-label" for={id}>
          {label}
        </label>
      )}
      {field.widget === 'integer' || field.widget === 'decimal' || field.widget === 'money' ? (
        <NumberInput {...common} />
      ) : field.widget === 'textarea' ? (
        <textarea
          id={id}
          name={props.name}
          value={typeof props.value === 'string' ? props.value : ''}
          readOnly={props.readOnly}
          aria-invalid={invalid}
          aria-describedby={describedBy}
          onInput={(event) =>
            props.onChange(event.currentTarget.value === '' ? undefined : event.currentTarget.value)
          }
        />
      ) : field.widget === 'date' ? (
        <input
          id={id}
          name={props.name}
          type="date"
          value={typeof props.value === 'string' ? props.value : ''}
          readOnly={props.readOnly}
          aria-invalid={invalid}
          aria-describedby={describedBy}
          onInput={(event) => props.onChange(event.currentTarget.value || undefined)}
        />
      ) : isGroup ? (
        <GroupInput {...common} entryErrors={entryErrors} setEntryErrors={setEntryErrors} />
      ) : (
        <ChoiceInputs {...common} />
      )}
      {counted ? (
        <p id={counterId} class={over ? 'message error char-count' : 'help char-count'}>
          {over
            ? t(
                `已输入 ${textLength}/${limit} 字，超出 ${textLength - limit} 字，请删减后才能保存`,
                `${textLength}/${limit} characters: ${textLength - limit} over the limit; shorten it to save`,
              )
            : t(`已输入 ${textLength}/${limit} 字`, `${textLength}/${limit} characters`)}
        </p>
      ) : null}
      {previous ? (
        <p class="previous">
          {t('上期：', 'Previous period: ')}
          {previous}
        </p>
      ) : null}
      {field.help ? (
        <p class="help" id={helpId}>
          {t(field.help)}
        </p>
      ) : null}
      {/* Always present, so screen readers announce messages as they appear. */}
      <div class="messages" aria-live="polite">
        {messages.map((message, index) => (
          <p key={messageIds[index]} id={messageIds[index]} class={`message ${message.kind}`}>
            {message.kind === 'comment' ? <strong>{t('省馆意见：', 'Province: ')}</strong> : null}
            {typeof message.text === 'string' ? message.text : t(message.text)}
          </p>
        ))}
      </div>
      {props.children}
    </div>
  );
};
