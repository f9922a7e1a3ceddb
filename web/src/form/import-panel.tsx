/**
 * "从工作总结导入": the librarian pastes the year's prose work summary, the server suggests
 * values with the words they come from, and the librarian accepts all of them or the ones
 * ticked. Accepted values go into the draft like typed ones; nothing is saved here.
 */
import { useState } from 'preact/hooks';
import { formatYuanAsWan } from '../../../domain/forms/money.js';
import {
  type Evidence,
  MAX_NARRATIVE_LENGTH,
  type NarrativeImport,
  type UnmappedReason,
} from '../../../domain/narrative/model.js';
import { problemText, request } from '../api.js';
import { type Localized, type Translator, useT } from '../i18n.js';

/** What the panel shows of a field; a UiField fits. */
export interface ImportFieldInfo {
  label: Localized;
  unit?: Localized;
  widget?: string;
  choices?: { code: string; label: Localized }[];
}

export interface ImportPanelProps {
  formId: string;
  /** The report's own version, whose fields the suggestions are for. */
  formVersion: string;
  fields: ReadonlyMap<string, ImportFieldInfo>;
  onAccept: (values: Record<string, unknown>) => void;
  disabled: boolean;
}

const REASONS: Record<UnmappedReason, Localized> = {
  noField: { zh: '未对应到表单项', en: 'no matching field' },
  ambiguous: { zh: '对应项不明确', en: 'ambiguous field' },
  excluded: { zh: '上下文不符', en: 'context does not fit' },
  missingContext: { zh: '缺少必要说明', en: 'context missing' },
  conflict: { zh: '与其他数字矛盾', en: 'conflicts with another figure' },
  lowConfidence: { zh: '把握不足', en: 'too uncertain' },
  notInForm: { zh: '表单无此项', en: 'not in this form' },
  outOfBounds: { zh: '超出允许范围', en: 'out of bounds' },
  notWhole: { zh: '不是整数', en: 'not a whole number' },
  tooManyDecimals: { zh: '小数位过多', en: 'too many decimals' },
  ruleConflict: { zh: '与其他建议值不符合校验规则', en: 'breaks a rule with other values' },
  runningTotal: { zh: '累计数，非本年', en: 'running total' },
  partOf: { zh: '部分（某室、分馆或其中）', en: 'part of the library' },
  capacity: { zh: '容量或设计能力', en: 'capacity' },
  partialYear: { zh: '半年或部分月份', en: 'part of the year' },
  plan: { zh: '计划或目标', en: 'plan or target' },
  otherYear: { zh: '其他年份', en: 'another year' },
  change: { zh: '增减或对比', en: 'a change or comparison' },
  otherInstitution: { zh: '其他单位', en: 'another institution' },
};

/** Long suggested text (the problem details) is previewed; the draft gets all of it. */
const PROSE_PREVIEW = 160;

const formatValue = (field: ImportFieldInfo | undefined, value: unknown, t: Translator) => {
  if (typeof value === 'boolean') return value ? t('是', 'Yes') : t('否', 'No');
  if (typeof value === 'number') {
    if (field?.widget === 'money') {
      return `${t.number(value, 0)} ${t('元', 'yuan')}（${formatYuanAsWan(value)} ${t('万元', '×10k yuan')}）`;
    }
    return `${t.number(value, 2)}${field?.unit ? ` ${t(field.unit)}` : ''}`;
  }
  const label = (code: unknown) => {
    const choice = field?.choices?.find((candidate) => candidate.code === code);
    return choice ? t(choice.label) : String(code);
  };
  if (Array.isArray(value)) return value.map(label).join('、');
  if (field?.choices) return label(value);
  const prose = String(value);
  return prose.length > PROSE_PREVIEW ? `${prose.slice(0, PROSE_PREVIEW)}…` : prose;
};

/** The quote with the figure marked, when the figure can be found in it. */
const Quote = (props: { text: string; quote: string; start: number; end: number }) => {
  const at = props.text.lastIndexOf(props.quote, props.start);
  const from = props.start - at;
  const to = props.end - at;
  if (at < 0 || from < 0 || to > props.quote.length) return <q>{props.quote}</q>;
  return (
    <q>
      {props.quote.slice(0, from)}
      <mark>{props.quote.slice(from, to)}</mark>
      {props.quote.slice(to)}
    </q>
  );
};

export const ImportPanel = (props: ImportPanelProps) => {
  const t = useT();
  const [text, setText] = useState('');
  const [submitted, setSubmitted] = useState('');
  const [result, setResult] = useState<NarrativeImport>();
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const fieldKeys = result ? Object.keys(result.values) : [];

  const extract = async () => {
    setBusy(true);
    setError(undefined);
    setNotice(undefined);
    try {
      const answer = await request<NarrativeImport>('POST', '/imports/narrative', {
        body: { text, formId: props.formId, formVersion: props.formVersion },
      });
      setSubmitted(text);
      setResult(answer);
      setSelected(new Set(Object.keys(answer.values)));
      if (Object.keys(answer.values).length === 0) {
        setNotice(t('没有识别出可填入的数字。', 'No values could be suggested.'));
      }
    } catch (failure) {
      setError(problemText(failure, t));
    } finally {
      setBusy(false);
    }
  };

  const accept = (keys: readonly string[]) => {
    if (!result || keys.length === 0) return;
    props.onAccept(Object.fromEntries(keys.map((key) => [key, result.values[key]])));
    setNotice(
      t(
        `已采纳 ${keys.length} 项，请核对后保存。`,
        `${keys.length} accepted; check them before saving.`,
      ),
    );
  };

  const toggle = (key: string, on: boolean) =>
    setSelected((current) => {
      const next = new Set(current);
      if (on) next.add(key);
      else next.delete(key);
      return next;
    });

  const evidenceOf = (key: string): Evidence[] =>
    result?.evidence.filter((item) => item.field === key && item.field !== 'problemDetails') ?? [];

  return (
    <details class="card import-panel">
      <summary>
        <strong>{t('从工作总结导入', 'Import from the work summary')}</strong>
      </summary>
      <div class="stack">
        <p class="help">
          {t(
            '粘贴本馆的年度工作总结，系统识别其中的数字供您核对；采纳后才会填入草稿。',
            "Paste the library's work summary: figures found in it are suggested for you to check, and go into the draft only when you accept them.",
          )}
        </p>
        <label class="field-label" for="narrative-text">
          {t('工作总结全文', 'Full text of the work summary')}
        </label>
        <textarea
          id="narrative-text"
          rows={8}
          maxLength={MAX_NARRATIVE_LENGTH}
          value={text}
          readOnly={props.disabled}
          onInput={(event) => setText(event.currentTarget.value)}
        />
        <div class="row">
          <button
            type="button"
            class="button"
            disabled={props.disabled || busy || text.trim() === ''}
            onClick={() => void extract()}
          >
            {busy ? t('识别中…', 'Extracting…') : t('识别', 'Extract')}
          </button>
        </div>
        <div aria-live="polite">
          {error ? (
            <p class="message error" role="alert">
              {error}
            </p>
          ) : null}
          {notice ? <p class="message">{notice}</p> : null}
        </div>
        {result && fieldKeys.length > 0 ? (
          <fieldset class="stack">
            <legend>
              {t(`识别结果（${fieldKeys.length} 项）`, `Suggestions (${fieldKeys.length})`)}
            </legend>
            <ul class="evidence-list stack">
              {fieldKeys.map((key) => {
                const field = props.fields.get(key);
                const evidence = evidenceOf(key);
                const confidence = Math.min(...evidence.map((item) => item.confidence), 1);
                const qualifier = evidence.find((item) => item.qualifier)?.qualifier;
                return (
                  <li key={key}>
                    <label class="choice">
                      <input
                        type="checkbox"
                        checked={selected.has(key)}
                        disabled={props.disabled}
                        onChange={(event) => toggle(key, event.currentTarget.checked)}
                      />
                      <strong>{field ? t(field.label) : key}</strong>
                      {'：'}
                      {formatValue(field, result.values[key], t)}
                      {qualifier
                        ? ` ${t(`（原文为约数：${qualifier}）`, `(approximate: ${qualifier})`)}`
                        : ''}
                      <span class="muted">
                        {' '}
                        {t('把握', 'confidence')} {Math.round(confidence * 100)}%
                      </span>
                    </label>
                    {evidence.map((item) => (
                      <p key={`${item.start}`} class="help">
                        <Quote
                          text={submitted}
                          quote={item.quote}
                          start={item.start}
                          end={item.end}
                        />
                      </p>
                    ))}
                  </li>
                );
              })}
            </ul>
            <div class="row">
              <button
                type="button"
                class="button"
                disabled={props.disabled}
                onClick={() => accept(fieldKeys)}
              >
                {t('全部采纳', 'Accept all')}
              </button>
              <button
                type="button"
                class="button secondary"
                disabled={props.disabled || selected.size === 0}
                onClick={() => accept(fieldKeys.filter((key) => selected.has(key)))}
              >
                {t('采纳所选', 'Accept selected')}
              </button>
            </div>
          </fieldset>
        ) : null}
        {result && result.unmapped.length > 0 ? (
          <details>
            <summary>
              {t(
                `未采用的数字（${result.unmapped.length}）`,
                `Figures not used (${result.unmapped.length})`,
              )}
            </summary>
            <ul class="help">
              {result.unmapped.map((item) => {
                const field = item.field ? props.fields.get(item.field) : undefined;
                return (
                  <li key={`${item.start}-${item.end}`}>
                    <strong>{item.text}</strong> {t(REASONS[item.reason])}
                    {field ? `（${t(field.label)}）` : ''}：
                    <Quote text={submitted} quote={item.quote} start={item.start} end={item.end} />
                  </li>
                );
              })}
            </ul>
          </details>
        ) : null}
      </div>
    </details>
  );
};
