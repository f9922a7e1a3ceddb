/**
 * The report form, rendered from the form's definition with no per-form code. A library
 * edits its draft (autosaved with the revision it was based on), explains warnings, attaches
 * evidence and submits; the province reads a submitted report, comments on fields, returns
 * or accepts it. Validation runs in the browser with the same engine as the server.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { compareVersions } from '../../../domain/forms/check.js';
import {
  type CompiledForm,
  compileForm,
  computeDerived,
  type FormValues,
  hiddenFields,
  validateDraft,
} from '../../../domain/forms/compile.js';
import type { FormDefinition } from '../../../domain/forms/definition.js';
import { previousPeriod } from '../../../domain/forms/periods.js';
import { MAX_COMMENT_LENGTH } from '../../../domain/submissions/limits.js';
import {
  ApiError,
  api,
  type EvidenceView,
  type FormView,
  notFoundAsUndefined,
  type PeriodView,
  problemText,
  type SubmissionView,
  submissionPath,
} from '../api.js';
import {
  currentSession,
  keepUnsavedEdits,
  type Session,
  takeUnsavedEdits,
  type UnsavedEdits,
} from '../auth.js';
import {
  Banner,
  LoadFailed,
  Loading,
  type ReportStatus,
  StatusBadge,
  useLoad,
} from '../components.js';
import {
  type Blocker,
  blockersFromServer,
  compact,
  draftSave,
  editsSince,
  fieldOfPath,
  mergeAfterConflict,
  moveToVersion,
  olderVersionNotice,
  overwrittenSince,
  previousAsVersion,
  ruleField,
  sameValue,
  submissionBlockers,
  valuePath,
  withEdits,
  writtenExplanations,
} from '../form/draft-state.js';
import { EvidencePanel } from '../form/evidence-panel.js';
import { FieldInput, type FieldMessage, shownValue } from '../form/field-input.js';
import { ImportPanel } from '../form/import-panel.js';
import { type Localized, useT } from '../i18n.js';
import { libraryWindow } from '../period-window.js';
import { Link, useLeaveGuard } from '../router.js';

/** How long typing must pause before a draft is saved. */
const AUTOSAVE_DELAY_MS = 1200;
/** How soon a save that failed for a retryable reason (network, 503) is tried again. */
const RETRY_DELAY_MS = 5000;

interface LoadedReport {
  form: FormView;
  compiled: CompiledForm;
  head?: SubmissionView;
  window: PeriodView;
  previous?: { period: string; values: FormValues };
  evidence: EvidenceView[];
}

const loadReport = async (
  libraryId: string,
  formId: string,
  period: string,
): Promise<LoadedReport> => {
  const path = submissionPath(libraryId, formId, period);
  const [head, window] = await Promise.all([
    api.submission(libraryId, formId, period).catch(notFoundAsUndefined),
    api.period(formId, period),
  ]);
  const form = await api.form(formId, head?.formVersion);
  const compiled = compileForm(form.definition);
  // The server sends the previous period with a report, read as its own version reads it;
  // before the first save, ask for it and read it the same way.
  let previous = head?.previous;
  const before = previousPeriod(form.periodType, period);
  if (!head && before) {
    const earlier = await api.submission(libraryId, formId, before).catch(() => undefined);
    if (earlier && (earlier.status === 'submitted' || earlier.status === 'accepted')) {
      const values = await previousAsVersion(
        form,
        compiled,
        earlier,
        async (version) => (await api.form(formId, version)).definition,
      );
      previous = { period: before, values };
    }
  }
  const evidence = head ? (await api.evidence(path)).items : [];
  return {
    form,
    compiled,
    window,
    evidence,
    ...(head ? { head } : {}),
    ...(previous ? { previous } : {}),
  };
};

/** Where an earlier version of this page kept explanations, in this browser only. */
const explanationsKey = (path: string) => `explanations:${path}`;

/**
 * Explanations an earlier version of this page kept in this browser until submission, taken
 * once: the page fills in with them only warnings the report has no saved explanation for, and
 * the autosave saves them with the draft. One saved since, from any device, is newer.
 */
const takeDeviceExplanations = (path: string): Record<string, string> => {
  const text = localStorage.getItem(explanationsKey(path));
  localStorage.removeItem(explanationsKey(path));
  try {
    const kept: unknown = JSON.parse(text ?? '{}');
    if (!kept || typeof kept !== 'object') return {};
    return Object.fromEntries(
      Object.entries(kept).filter(
        (entry): entry is [string, string] =>
          typeof entry[1] === 'string' && entry[1].trim() !== '',
      ),
    );
  } catch {
    return {};
  }
};

const NO_TEXT: Localized = { zh: '', en: '' };

type SaveState =
  | { kind: 'idle' }
  | { kind: 'saving' }
  | { kind: 'saved'; at: string }
  | { kind: 'failed'; message: string }
  | { kind: 'conflict' };

/** Evidence not removed that no section of a form version taking evidence holds. */
const evidenceOutside = (definition: FormDefinition, items: readonly EvidenceView[]) => {
  const sections = new Set(
    definition.sections.flatMap((section) => (section.evidence ? [section.key] : [])),
  );
  return items.filter((item) => item.status !== 'deleted' && !sections.has(item.sectionKey ?? ''));
};

/**
 * Where a blocker is fixed: a warning's explanation box, else the control of the group entry's
 * sub-field it is about, else the field's first control.
 */
const focusBlocker = (blocker: Blocker) => {
  const field = CSS.escape(blocker.path ?? blocker.field);
  const explanation =
    blocker.kind === 'explanation' && blocker.ruleId
      ? document.getElementById(`explain-${blocker.ruleId}`)
      : null;
  const target =
    explanation ??
    document.querySelector<HTMLElement>(
      `[data-field="${field}"] input, [data-field="${field}"] select, [data-field="${field}"] textarea`,
    );
  target?.scrollIntoView({ block: 'center' });
  target?.focus();
};

/** A notice people must see where they are (after submitting, at the foot of a long page). */
const showNotice = (element: HTMLElement | null) => {
  element?.scrollIntoView({ block: 'center' });
  element?.focus({ preventScroll: true });
};

export const FormPage = (props: {
  session: Session;
  libraryId: string;
  formId: string;
  period: string;
}) => {
  const [loaded, reload] = useLoad(
    () => loadReport(props.libraryId, props.formId, props.period),
    [props.libraryId, props.formId, props.period],
  );
  if (loaded.state === 'loading') return <Loading />;
  if (loaded.state === 'failed') return <LoadFailed error={loaded.error} retry={reload} />;
  return <ReportEditor {...props} report={loaded.value} />;
};

const ReportEditor = (props: {
  session: Session;
  libraryId: string;
  formId: string;
  period: string;
  report: LoadedReport;
}) => {
  const t = useT();
  const { compiled, form, previous } = props.report;
  const path = submissionPath(props.libraryId, props.formId, props.period);
  const versionNotice = olderVersionNotice(form);

  const [head, setHead] = useState(props.report.head);
  const status: ReportStatus = head?.status ?? 'missing';
  const isOwner = props.session.role === 'library' && props.session.libraryId === props.libraryId;
  const periodWindow = libraryWindow(props.report.window, props.libraryId);
  const windowOpen = periodWindow.state === 'open';
  /** While the draft moves onto another form version, nothing on the page is edited. */
  const [moving, setMoving] = useState(false);
  const editable =
    isOwner &&
    windowOpen &&
    !moving &&
    (status === 'missing' || status === 'draft' || status === 'returned');
  /** Edits this page could not save before the session ended, taken once when it opens. */
  const [restored] = useState<UnsavedEdits | undefined>(() =>
    takeUnsavedEdits(path, props.session.subject),
  );
  /** They apply to a report still editable and on the form version they were made in. */
  const [restoredApplies] = useState(
    () =>
      restored !== undefined && editable && (restored.formVersion ?? form.version) === form.version,
  );
  const fieldLabel = (key: string) => compiled.fields.get(key)?.label ?? { zh: key, en: key };
  /** An explanation, named by the field its rule is at. */
  const explanationLabel = (ruleId: string): Localized => {
    const at = fieldLabel(compiled.rules.find((rule) => rule.id === ruleId)?.fields[0] ?? ruleId);
    return { zh: `${at.zh}的说明`, en: `the explanation at ${at.en}` };
  };
  /** What those edits changed: fields by label, explanations by the field their rule is at. */
  const [restoredNames] = useState<Localized[]>(() =>
    restored
      ? [
          ...Object.keys(restored.edits).map(fieldLabel),
          ...Object.keys(restored.explanations).map(explanationLabel),
        ]
      : [],
  );
  /** Of those, the fields someone else saved with other values meanwhile: still replaced. */
  const [overwritten] = useState<string[]>(() =>
    restored && restoredApplies
      ? overwrittenSince(restored.base, restored.edits, props.report.head?.values ?? {})
      : [],
  );
  /** And the explanations someone else saved with other text meanwhile, by rule id. */
  const [overwrittenExplanations] = useState<string[]>(() =>
    restored && restoredApplies
      ? overwrittenSince(
          restored.explanationsBase,
          restored.explanations,
          props.report.head?.explanations ?? {},
        )
      : [],
  );
  const [values, setValues] = useState<FormValues>(() => {
    const saved = { ...(props.report.head?.values ?? {}) };
    // Re-applied on top of the report as it is now, like edits kept over a conflict; the
    // autosave then saves them. A report no longer editable only lists them.
    return restored && restoredApplies ? withEdits(saved, restored.edits) : saved;
  });
  const [inputErrors, setInputErrors] = useState<Record<string, Localized>>({});
  const [explanations, setExplanations] = useState<Record<string, string>>(() => {
    const saved = { ...(props.report.head?.explanations ?? {}) };
    if (!editable) return saved;
    // Saved with the draft like values, so another device sees them; the autosave saves these.
    return withEdits(
      { ...takeDeviceExplanations(path), ...saved },
      restored && restoredApplies ? restored.explanations : {},
    );
  });
  const [saveState, setSaveState] = useState<SaveState>({ kind: 'idle' });
  const [evidence, setEvidence] = useState(props.report.evidence);
  /** Once submitting was tried, what still blocks it is shown, recomputed as edits go on. */
  const [submitAttempted, setSubmitAttempted] = useState(false);
  /** What the server refused a submission for, shown until the next edit. */
  const [serverBlockers, setServerBlockers] = useState<Blocker[]>();
  const [notice, setNotice] = useState<{ kind: 'success' | 'error'; text: string }>();
  const [busy, setBusy] = useState(false);
  const [retryTick, setRetryTick] = useState(0);
  /** The province's comments by field and its message to the library, while reviewing. */
  const [comments, setComments] = useState<Record<string, string>>({});
  const [reviewMessage, setReviewMessage] = useState('');

  // The latest values for the save chain, which outlives renders.
  const valuesRef = useRef(values);
  valuesRef.current = values;
  const explanationsRef = useRef(explanations);
  explanationsRef.current = explanations;
  const inputErrorsRef = useRef(inputErrors);
  inputErrorsRef.current = inputErrors;
  const revisionRef = useRef(head?.revision ?? 0);
  const lastSavedRef = useRef<FormValues>(head?.values ?? {});
  const lastSavedExplanationsRef = useRef<Record<string, string>>(head?.explanations ?? {});
  const saveChain = useRef<Promise<boolean>>(Promise.resolve(true));
  const conflictRef = useRef(false);
  const blockersRef = useRef<HTMLDivElement>(null);
  const noticeRef = useRef<HTMLDivElement>(null);
  /** A submit failed without an answer (network, 5xx): it may have reached the server. */
  const submitUnansweredRef = useRef(false);
  /** A save may finish after the page is gone; it must not touch the page then. */
  const mountedRef = useRef(true);

  const reviewing = props.session.role !== 'library' && status === 'submitted';
  const editableRef = useRef(editable);
  editableRef.current = editable;

  // The action bar that was clicked may be gone and the notice a page away (on a phone):
  // bring it to where the person looks.
  useEffect(() => {
    if (notice?.kind === 'success') showNotice(noticeRef.current);
  }, [notice]);

  // What a save would send now; `head` changes whenever lastSavedRef does.
  const draft = useMemo(
    () => draftSave(compiled, values, lastSavedRef.current, inputErrors),
    [compiled, values, inputErrors, head],
  );
  /** Edits a save would send. */
  const pending =
    editable &&
    (!sameValue(draft.values, lastSavedRef.current) ||
      !sameValue(writtenExplanations(compiled, explanations), lastSavedExplanationsRef.current));
  /** Fields with an error whose edits no save can carry yet. */
  const held = editable ? draft.held : [];
  /** A return message or field comments the province wrote and has not sent. */
  const unsentReview =
    reviewing && [reviewMessage, ...Object.values(comments)].some((text) => text.trim() !== '');
  const unsaved = pending || held.length > 0 || unsentReview;
  useEffect(() => {
    if (!unsaved) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [unsaved]);

  /** The head as saved: what later saves and edits are compared with. */
  const savedAs = (next: SubmissionView) => {
    revisionRef.current = next.revision;
    lastSavedRef.current = next.values;
    lastSavedExplanationsRef.current = next.explanations;
  };

  const applyHead = (next: SubmissionView) => {
    savedAs(next);
    setHead(next);
  };

  /** What a save would send now, read from refs: the save chain outlives renders. */
  const draftNow = () =>
    draftSave(compiled, valuesRef.current, lastSavedRef.current, inputErrorsRef.current);
  const explanationsNow = () => writtenExplanations(compiled, explanationsRef.current);
  /** Whether values or explanations differ from the last save. */
  const changedSinceSave = () =>
    !sameValue(draftNow().values, lastSavedRef.current) ||
    !sameValue(explanationsNow(), lastSavedExplanationsRef.current);

  /** The session ended: keep what is not saved in this tab until the person signs in again. */
  const keepEditsForSignIn = () => {
    const explained = editsSince(lastSavedExplanationsRef.current, explanationsNow());
    keepUnsavedEdits(path, {
      subject: props.session.subject,
      revision: revisionRef.current,
      ...editsSince(lastSavedRef.current, valuesRef.current),
      explanations: explained.edits,
      explanationsBase: explained.base,
      formVersion: form.version,
    });
  };

  /** Saves what can be saved, after any save already under way. False when it failed. */
  const save = (): Promise<boolean> => {
    const run = async () => {
      if (conflictRef.current) return false;
      if (revisionRef.current > 0 && !changedSinceSave()) return true;
      if (mountedRef.current) setSaveState({ kind: 'saving' });
      try {
        const next = await api.save(
          path,
          draftNow().values,
          revisionRef.current,
          explanationsNow(),
          form.version,
        );
        savedAs(next);
        if (mountedRef.current) {
          setHead(next);
          setSaveState({ kind: 'saved', at: next.updatedAt });
        }
        return true;
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) {
          keepEditsForSignIn();
        } else if (error instanceof ApiError && error.status === 409) {
          conflictRef.current = true;
          if (mountedRef.current) setSaveState({ kind: 'conflict' });
        } else if (mountedRef.current) {
          setSaveState({ kind: 'failed', message: problemText(error, t) });
          if (
            error instanceof ApiError &&
            (error.status === 0 || error.status === 503 || error.status === 429)
          ) {
            setTimeout(() => {
              if (mountedRef.current) setRetryTick((tick) => tick + 1);
            }, RETRY_DELAY_MS);
          }
        }
        return false;
      }
    };
    saveChain.current = saveChain.current.then(run, run);
    return saveChain.current;
  };
  useEffect(() => {
    if (!pending) return;
    const timer = setTimeout(() => void save(), AUTOSAVE_DELAY_MS);
    return () => clearTimeout(timer);
  }, [values, explanations, inputErrors, retryTick, editable]);

  /** Edits a save would send right now, read from refs: for leaving, outside any render. */
  const pendingNow = () => editableRef.current && changedSinceSave();

  // Leaving in the app (a link, the back button) first saves what the autosave has not yet;
  // only when that fails, or a field is held back by an error, is the person asked.
  useLeaveGuard(async () => {
    if (!editableRef.current) return true;
    const saved = pendingNow() ? await save() : !conflictRef.current;
    const heldNow = draftNow().held.length;
    if (saved && heldNow === 0) return true;
    return window.confirm(
      heldNow > 0
        ? t(
            `${heldNow} 项有误，未保存。离开此页将丢失这些修改，确定离开吗？`,
            `${heldNow === 1 ? '1 field has an error' : `${heldNow} fields have errors`} and ${heldNow === 1 ? 'is' : 'are'} not saved. Leave this page and lose those changes?`,
          )
        : t(
            '修改未能保存，离开此页将丢失这些修改。确定离开吗？',
            'Your changes could not be saved. Leave this page and lose them?',
          ),
    );
  });
  // Review text lives only on this page until it is sent with 退回修改: leaving would drop it.
  useLeaveGuard(
    () =>
      !unsentReview ||
      window.confirm(
        t(
          '退回意见或字段意见尚未发送，离开此页将丢失。确定离开吗？',
          'Your message or field comments have not been sent. Leave this page and lose them?',
        ),
      ),
  );
  useEffect(
    () => () => {
      mountedRef.current = false;
      // Left some other way (a redirect): still save what was typed, not drop it. Without a
      // session the save could only fail: keep the edits for after signing in instead.
      if (!pendingNow()) return;
      if (currentSession()) void save();
      else keepEditsForSignIn();
    },
    [],
  );

  /** After someone else's save: their revision, with this page's unsaved edits on top. */
  const reloadKeepingEdits = async () => {
    setBusy(true);
    try {
      const latest = await api
        .submission(props.libraryId, props.formId, props.period)
        .catch(notFoundAsUndefined);
      if (latest?.formVersion !== form.version) {
        // Moved onto another version elsewhere, or, never saved, to be started on the version
        // deployed since this page loaded: this page's fields are not that version's.
        setNotice({
          kind: 'error',
          text: t(
            '这份报告现按表单的新版本填写。请记下本页未保存的修改，重新载入页面后按新版本填写。',
            'This report now uses a newer version of the form. Note the edits on this page, then load the page again and enter them in the new version.',
          ),
        });
        return;
      }
      conflictRef.current = false;
      setSaveState({ kind: 'idle' });
      if (latest.status === 'submitted' || latest.status === 'accepted') {
        // Submitted from elsewhere: shown as it was submitted, not with edits it never had.
        applyHead(latest);
        setValues({ ...latest.values });
        setExplanations({ ...latest.explanations });
        setNotice({
          kind: 'error',
          text: t(
            '这份报告已由他人提交，不能再修改；本页未保存的修改没有保存。',
            'Someone else has submitted this report, so it can no longer be changed; the edits on this page were not saved.',
          ),
        });
        return;
      }
      const merged = mergeAfterConflict(latest.values, lastSavedRef.current, valuesRef.current);
      const mergedExplanations = mergeAfterConflict(
        latest.explanations,
        lastSavedExplanationsRef.current,
        explanationsNow(),
      );
      applyHead(latest);
      setValues(merged);
      setExplanations(mergedExplanations);
    } catch (error) {
      setNotice({ kind: 'error', text: problemText(error, t) });
    } finally {
      setBusy(false);
    }
  };

  const updateValue = (key: string, value: unknown) => {
    setServerBlockers(undefined);
    setValues((current) => {
      const next = { ...current };
      if (value === undefined) delete next[key];
      else next[key] = value;
      return next;
    });
  };

  /** A field's input error, kept at the group entry's sub-field when it is in one. */
  const setInputError = (field: string, error: Localized | undefined, path = field) =>
    setInputErrors((current) => {
      const others = Object.entries(current).filter(([key]) => fieldOfPath(key) !== field);
      if (!error && others.length === Object.keys(current).length) return current;
      return Object.fromEntries(error ? [...others, [path, error]] : others);
    });

  /** Evidence in no section of this version that takes it: added without one, or moved on. */
  const unplacedEvidence = evidenceOutside(form.definition, evidence);

  const fieldsByKey = useMemo(
    () =>
      new Map(
        form.sections.flatMap((section) =>
          section.fields.map((field) => [field.key, field] as const),
        ),
      ),
    [form],
  );
  const live = useMemo(
    () => validateDraft(compiled, compact(values), previous?.values),
    [compiled, values, previous],
  );
  const derived = useMemo(() => computeDerived(compiled, compact(values)), [compiled, values]);
  // As validation decides them: a field hidden here is one the checks treat as not answered.
  const hidden = useMemo(() => hiddenFields(compiled, compact(values)), [compiled, values]);

  const localBlockers = useMemo(
    () =>
      submitAttempted
        ? submissionBlockers(compiled, values, previous?.values, explanations, inputErrors).blockers
        : undefined,
    [submitAttempted, compiled, values, previous, explanations, inputErrors],
  );
  const blockers = serverBlockers ?? localBlockers;

  const messagesFor = (key: string): FieldMessage[] => {
    const messages: FieldMessage[] = [];
    const typed = inputErrors[key];
    if (typed) messages.push({ kind: 'error', text: typed });
    // An error inside a group entry (`incidents.0.date`) carries its path, to show at that
    // entry's sub-field.
    const inside = (path: string) => {
      const inner = valuePath(path);
      return inner === key ? {} : { path: inner };
    };
    for (const error of live.fieldErrors) {
      if (fieldOfPath(error.path) === key) {
        messages.push({ kind: 'error', text: error.message, ...inside(error.path) });
      }
    }
    for (const blocker of blockers ?? []) {
      if (
        blocker.kind === 'field' &&
        blocker.field === key &&
        !messages.some((m) => sameValue(m.text, blocker.message) && m.path === blocker.path)
      ) {
        messages.push({
          kind: 'error',
          text: blocker.message,
          ...(blocker.path ? { path: blocker.path } : {}),
        });
      }
    }
    for (const violation of live.ruleErrors) {
      if (ruleField(violation, hidden) === key)
        messages.push({ kind: 'error', text: violation.message });
    }
    for (const warning of live.warnings) {
      if (ruleField(warning, hidden) === key)
        messages.push({ kind: 'warning', text: warning.message, id: `warning-${warning.ruleId}` });
    }
    const comment = head?.review?.fieldComments[key];
    if (comment && status !== 'accepted') messages.push({ kind: 'comment', text: comment });
    return messages;
  };

  const submitted = (next: SubmissionView) => {
    applyHead(next);
    setValues({ ...next.values });
    setSubmitAttempted(false);
    setNotice({
      kind: 'success',
      text: t('已提交，等待省馆审核。', 'Submitted; the province will review it.'),
    });
  };

  const showLatestAfterConflict = async (conflict: ApiError) => {
    try {
      const latest = await api.submission(props.libraryId, props.formId, props.period);
      if (latest.status === 'submitted') submitted(latest);
      else if (latest.status === 'accepted') {
        applyHead(latest);
        setValues({ ...latest.values });
      } else setNotice({ kind: 'error', text: problemText(conflict, t) });
    } catch (error) {
      setNotice({ kind: 'error', text: problemText(error, t) });
    }
  };

  /**
   * Moves the draft onto the form's current version: what was typed is saved first under the
   * report's own version, the values go through the migrations of the versions since, the
   * person confirms what is added and what goes, and the page opens again on the new version.
   */
  const moveToCurrentVersion = async () => {
    setNotice(undefined);
    if (draftNow().held.length > 0) {
      setNotice({
        kind: 'error',
        text: t('请先改正标出的错误，再改用现行版本。', 'Correct the fields marked first.'),
      });
      return;
    }
    setBusy(true);
    setMoving(true);
    try {
      if (!(await save())) return;
      const later = await Promise.all(
        form.versions
          .filter((version) => compareVersions(version, form.version) > 0)
          .map((version) => api.form(props.formId, version)),
      );
      const target = later.at(-1);
      if (!target) return;
      const move = moveToVersion(
        form.definition,
        later.map((view) => view.definition),
        lastSavedRef.current,
      );
      const names = (fields: readonly { label: Localized }[]) =>
        fields.map((field) => t(field.label)).join(t('、', ', '));
      const unplaced = evidenceOutside(target.definition, evidence).filter(
        (item) => item.sectionKey !== undefined,
      ).length;
      const confirmed = window.confirm(
        [
          t(
            `改用表单 ${target.version} 版填写本报告？`,
            `Use form version ${target.version} for this report?`,
          ),
          move.added.length > 0
            ? t(`新增：${names(move.added)}。`, `New: ${names(move.added)}.`)
            : '',
          move.dropped.length > 0
            ? t(
                `不再收集：${names(move.dropped)}（已填的值保留在报告的历史版本中）。`,
                `No longer collected: ${names(move.dropped)} (what was entered stays in the report's history).`,
              )
            : '',
          move.trimmed.length > 0
            ? t(
                `${names(move.trimmed)}中新版本不收集的内容将去掉（保留在报告的历史版本中）。`,
                `What the new version does not collect in ${names(move.trimmed)} goes (it stays in the report's history).`,
              )
            : '',
          unplaced > 0
            ? t(
                `${unplaced} 份佐证材料所在的栏目在新版本中没有，将列在“其他佐证材料”中。`,
                `${unplaced} evidence file(s) belong to sections the new version does not have; they will be listed under Other evidence.`,
              )
            : '',
        ]
          .filter(Boolean)
          .join('\n'),
      );
      if (!confirmed) return;
      // In the save chain, after any save under way, so the two never race for a revision.
      const moveSave = () =>
        api
          .save(
            path,
            move.values,
            revisionRef.current,
            writtenExplanations(compileForm(target.definition), explanationsRef.current),
            target.version,
          )
          .then(() => true);
      saveChain.current = saveChain.current.then(moveSave, moveSave);
      await saveChain.current;
      window.location.reload();
    } catch (error) {
      setNotice({ kind: 'error', text: problemText(error, t) });
    } finally {
      if (mountedRef.current) {
        setBusy(false);
        setMoving(false);
      }
    }
  };

  const submit = async () => {
    setNotice(undefined);
    setServerBlockers(undefined);
    setSubmitAttempted(true);
    const { blockers: found } = submissionBlockers(
      compiled,
      values,
      previous?.values,
      explanations,
      inputErrors,
    );
    if (found.length > 0) {
      requestAnimationFrame(() => blockersRef.current?.focus());
      return;
    }
    setBusy(true);
    try {
      if (!(await save())) return;
      const relevant = Object.fromEntries(
        live.warnings.map((warning) => [
          warning.ruleId,
          explanations[warning.ruleId]?.trim() ?? '',
        ]),
      );
      const next = await api.submit(path, revisionRef.current, relevant);
      submitUnansweredRef.current = false;
      submitted(next);
    } catch (error) {
      const unanswered = submitUnansweredRef.current;
      submitUnansweredRef.current =
        error instanceof ApiError && (error.status === 0 || error.status >= 500);
      if (error instanceof ApiError && error.status === 409 && unanswered) {
        // An earlier try whose answer was lost may have moved the report on: show what it is.
        await showLatestAfterConflict(error);
      } else if (
        error instanceof ApiError &&
        (error.status === 422 || error.status === 400) &&
        error.problem.errors?.length
      ) {
        setServerBlockers(blockersFromServer(compiled, error.problem.errors, hidden));
        requestAnimationFrame(() => blockersRef.current?.focus());
      } else {
        setNotice({ kind: 'error', text: problemText(error, t) });
      }
    } finally {
      setBusy(false);
    }
  };

  const ensureSaved = async () => (revisionRef.current > 0 ? true : save());
  const reloadEvidence = () => {
    api.evidence(path).then(
      (result) => setEvidence(result.items),
      (error: unknown) => setNotice({ kind: 'error', text: problemText(error, t) }),
    );
  };

  const visibleSections = form.sections.map((section) => ({
    section,
    fields: section.fields.filter((field) => !hidden.has(field.key)),
  }));
  /** Fields the province commented on, in the form's order, for the returned banner. */
  const fieldOrder = [...fieldsByKey.keys()];
  const commented = Object.entries(head?.review?.fieldComments ?? {})
    .filter(([, comment]) => comment.trim() !== '')
    .sort(([a], [b]) => fieldOrder.indexOf(a) - fieldOrder.indexOf(b));
  const problemsIn = (keys: string[]) =>
    keys.filter((key) => messagesFor(key).some((message) => message.kind === 'error')).length;

  return (
    <div class="form-page">
      <p class="breadcrumb">
        <Link href={`/libraries/${props.libraryId}`}>{t('返回', 'Back')}</Link>
      </p>
      <div class="form-title">
        <h1>
          {t(form.title)} · {props.period}
        </h1>
        <StatusBadge status={status} />
      </div>
      <p class="muted">
        {t(
          `截止 ${t.dateTime(props.report.window.dueAt)}`,
          `Due ${t.dateTime(props.report.window.dueAt)}`,
        )}
        {previous
          ? t(` · 对照上期（${previous.period}）`, ` · compared with ${previous.period}`)
          : ''}
      </p>

      {isOwner && periodWindow.state === 'locked' ? (
        <Banner kind="info">
          {t('本期填报已截止，报告只读。', 'This period is closed; the report is read-only.')}
          {status === 'accepted' || status === 'submitted'
            ? null
            : t(
                '如需补报，请联系管理员开通例外。',
                ' To report late, ask an administrator for an exception.',
              )}
        </Banner>
      ) : isOwner && periodWindow.state === 'not-open' ? (
        <Banner kind="info">
          {t(
            `本期填报尚未开放（${t.date(periodWindow.opensAt)} 开放），报告只读。`,
            `This period opens on ${t.date(periodWindow.opensAt)}; the report is read-only.`,
          )}
        </Banner>
      ) : null}
      {versionNotice ? (
        <Banner kind="info">
          {t(versionNotice)}
          {editable ? (
            <>
              {' '}
              <button
                type="button"
                class="button secondary"
                disabled={busy || saveState.kind === 'conflict'}
                onClick={() => void moveToCurrentVersion()}
              >
                {t('改用现行版本', 'Use the current version')}
              </button>
            </>
          ) : null}
        </Banner>
      ) : null}
      {restoredNames.length > 0 ? (
        <Banner kind={restoredApplies ? 'info' : 'warning'}>
          {restoredApplies
            ? t(
                `登录过期前有 ${restoredNames.length} 项修改未保存，已恢复并将自动保存：`,
                `${restoredNames.length} change(s) not saved before your sign-in expired were restored and will be saved: `,
              )
            : editable
              ? t(
                  `登录过期前有 ${restoredNames.length} 项修改未能保存，报告已改用表单 ${form.version} 版，请按新版本重新填写：`,
                  `${restoredNames.length} change(s) made before your sign-in expired were not saved, and the report now uses form version ${form.version}; enter them again: `,
                )
              : t(
                  `登录过期前有 ${restoredNames.length} 项修改未能保存，报告现已不可编辑：`,
                  `${restoredNames.length} change(s) made before your sign-in expired were not saved, and the report can no longer be edited: `,
                )}
          {restoredNames.map((name) => t(name)).join(t('、', ', '))}
        </Banner>
      ) : null}
      {overwritten.length + overwrittenExplanations.length > 0 ? (
        <Banner kind="warning">
          {t(
            `其中 ${overwritten.length + overwrittenExplanations.length} 项在此期间已由他人保存为其他值，现以您的修改为准（他人保存的版本仍保留在报告的历史版本中）：`,
            `${overwritten.length + overwrittenExplanations.length} of them were saved with other values by someone else meanwhile; your changes replace them (their revision stays in the report's history): `,
          )}
          {[
            ...overwritten.map((key) => {
              const field = fieldsByKey.get(key);
              const theirs = field && shownValue(field, props.report.head?.values[key], t);
              return [fieldLabel(key), theirs] as const;
            }),
            ...overwrittenExplanations.map(
              (ruleId) =>
                [explanationLabel(ruleId), props.report.head?.explanations[ruleId]] as const,
            ),
          ]
            .map(
              ([name, theirs]) =>
                `${t(name)}${t('（他人保存：', ' (theirs: ')}${theirs ?? t('空', 'empty')}${t('）', ')')}`,
            )
            .join(t('、', ', '))}
        </Banner>
      ) : null}
      {head?.review && status === 'returned' ? (
        <div class="banner warning" role="status">
          <p>
            <strong>{t('省馆退回意见：', 'Returned by the province: ')}</strong>
            {head.review.message}
          </p>
          {commented.length > 0 ? (
            <>
              <p>
                {t(
                  `省馆对 ${commented.length} 项提出了意见：`,
                  `The province commented on ${commented.length} field(s):`,
                )}
              </p>
              <ul>
                {commented.map(([key, comment]) => (
                  <li key={key}>
                    <button
                      type="button"
                      class="link-button"
                      onClick={() => focusBlocker({ kind: 'field', field: key, message: NO_TEXT })}
                    >
                      {t(compiled.fields.get(key)?.label ?? { zh: key, en: key })}
                    </button>
                    ：{comment}
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </div>
      ) : null}
      {status === 'accepted' ? (
        <Banner kind="success">
          {t(
            '报告已通过审核，不能再修改。',
            'The report was accepted and can no longer be changed.',
          )}
        </Banner>
      ) : null}
      {/* Just submitted, the notice says so: one sentence, not two. */}
      {status === 'submitted' && isOwner && notice?.kind !== 'success' ? (
        <Banner kind="info">
          {t('报告已提交，等待省馆审核。', 'Submitted; waiting for the province’s review.')}
        </Banner>
      ) : null}
      {notice ? (
        <div
          class={`banner ${notice.kind}`}
          role={notice.kind === 'error' ? 'alert' : 'status'}
          tabIndex={-1}
          ref={noticeRef}
        >
          {notice.text}
        </div>
      ) : null}
      {saveState.kind === 'conflict' ? (
        <div class="banner warning" role="alert">
          <p>
            {t(
              '其他人刚刚保存了这份报告的新版本，您最近的修改尚未保存。',
              'Someone else just saved a newer version of this report; your latest changes are not saved yet.',
            )}
          </p>
          <button
            type="button"
            class="button"
            disabled={busy}
            onClick={() => void reloadKeepingEdits()}
          >
            {t('载入最新版本并保留我的修改', 'Load the latest version and keep my changes')}
          </button>
        </div>
      ) : null}

      {editable ? (
        <ImportPanel
          formId={props.formId}
          formVersion={form.version}
          fields={fieldsByKey}
          disabled={busy}
          onAccept={(accepted) => {
            setServerBlockers(undefined);
            setValues((current) => ({ ...current, ...accepted }));
          }}
        />
      ) : null}

      <div class="form-layout">
        <nav class="section-nav" aria-label={t('章节', 'Sections')}>
          <ol>
            {visibleSections.map(({ section, fields }) => {
              const count = problemsIn(fields.map((field) => field.key));
              return (
                <li key={section.key}>
                  <a href={`#section-${section.key}`}>
                    {t(section.title)}
                    {count > 0 ? (
                      <span class="badge status-returned">
                        {count}
                        <span class="visually-hidden">{t(' 项有误', ' problems')}</span>
                      </span>
                    ) : null}
                  </a>
                </li>
              );
            })}
          </ol>
        </nav>

        <form
          class="report-form"
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            if (editable) void submit();
          }}
        >
          {visibleSections.map(({ section, fields }) => (
            <section
              key={section.key}
              id={`section-${section.key}`}
              class="card form-section"
              aria-labelledby={`section-${section.key}-title`}
            >
              <h2 id={`section-${section.key}-title`}>{t(section.title)}</h2>
              {section.help ? <p class="help">{t(section.help)}</p> : null}
              {fields.map((field) => {
                const warnings = live.warnings.filter(
                  (warning) => ruleField(warning, hidden) === field.key,
                );
                return (
                  <FieldInput
                    key={field.key}
                    field={field}
                    name={field.key}
                    value={values[field.key]}
                    previous={previous?.values[field.key]}
                    readOnly={!editable}
                    messages={messagesFor(field.key)}
                    onChange={(value) => updateValue(field.key, value)}
                    onInputError={(error, path) => setInputError(field.key, error, path)}
                  >
                    {warnings.map((warning) => (
                      <div key={warning.ruleId} class="explanation">
                        <label for={`explain-${warning.ruleId}`}>
                          {editable
                            ? t('请说明原因（提交时必填）', 'Explain why (required to submit)')
                            : t('图书馆的说明', "The library's explanation")}
                        </label>
                        <textarea
                          id={`explain-${warning.ruleId}`}
                          name={`explanations.${warning.ruleId}`}
                          value={explanations[warning.ruleId] ?? ''}
                          readOnly={!editable}
                          maxLength={MAX_COMMENT_LENGTH}
                          aria-describedby={`warning-${warning.ruleId}`}
                          onInput={(event) => {
                            const text = event.currentTarget.value;
                            setServerBlockers(undefined);
                            setExplanations((current) => ({ ...current, [warning.ruleId]: text }));
                          }}
                        />
                      </div>
                    ))}
                    {reviewing ? (
                      <ReviewComment
                        field={field.key}
                        value={comments[field.key] ?? ''}
                        onChange={(text) =>
                          setComments((current) => ({ ...current, [field.key]: text }))
                        }
                      />
                    ) : null}
                  </FieldInput>
                );
              })}
              {section.evidence ? (
                <EvidencePanel
                  path={path}
                  sectionKey={section.key}
                  maxFiles={section.evidence.maxFiles}
                  {...(section.evidence.hint ? { hint: section.evidence.hint } : {})}
                  items={evidence.filter((item) => item.sectionKey === section.key)}
                  editable={editable}
                  ensureSaved={ensureSaved}
                  onChanged={reloadEvidence}
                />
              ) : null}
            </section>
          ))}

          {unplacedEvidence.length > 0 ? (
            <section class="card" aria-labelledby="unplaced-evidence-title">
              <h2 id="unplaced-evidence-title">{t('其他佐证材料', 'Other evidence')}</h2>
              <p class="help">
                {t(
                  '这些材料不属于本版表单的任何栏目（例如栏目在新版本中已取消）。',
                  'These files belong to no section of this form version (for example, a section a newer version dropped).',
                )}
              </p>
              <EvidencePanel
                path={path}
                items={unplacedEvidence}
                editable={editable}
                ensureSaved={ensureSaved}
                onChanged={reloadEvidence}
              />
            </section>
          ) : null}

          {form.derived.length > 0 ? (
            <section class="card" aria-labelledby="derived-title">
              <h2 id="derived-title">{t('计算指标', 'Indicators')}</h2>
              <dl class="derived">
                {form.derived.map((indicator) => (
                  <div key={indicator.key}>
                    <dt>{t(indicator.label)}</dt>
                    <dd>
                      {derived[indicator.key] === undefined
                        ? '—'
                        : `${t.number(derived[indicator.key] ?? 0, indicator.scale)}${indicator.unit ? ` ${t(indicator.unit)}` : ''}`}
                    </dd>
                  </div>
                ))}
              </dl>
            </section>
          ) : null}

          {blockers && blockers.length > 0 ? (
            <div class="banner error blockers" role="alert" tabIndex={-1} ref={blockersRef}>
              <h2>
                {t(
                  `还有 ${blockers.length} 项需要处理才能提交`,
                  `${blockers.length} things to fix before submitting`,
                )}
              </h2>
              <ul>
                {blockers.map((blocker, index) => {
                  const label = compiled.fields.get(blocker.field)?.label;
                  return (
                    <li key={`${blocker.field}-${index}`}>
                      {/* A problem about no field of the form (a rule it lacks) has nowhere to go. */}
                      {label ? (
                        <>
                          <button
                            type="button"
                            class="link-button"
                            onClick={() => focusBlocker(blocker)}
                          >
                            {t(label)}
                          </button>
                          ：
                        </>
                      ) : null}
                      {blocker.kind === 'explanation'
                        ? t('需要说明：', 'needs an explanation: ')
                        : ''}
                      {t(blocker.message)}
                    </li>
                  );
                })}
              </ul>
            </div>
          ) : null}

          {editable ? (
            <div class="action-bar">
              <SaveStatus state={saveState} pending={pending} held={held.length} />
              <button
                type="button"
                class="button secondary"
                disabled={busy || !pending}
                onClick={() => void save()}
              >
                {t('立即保存', 'Save now')}
              </button>
              <button type="submit" class="button" disabled={busy || saveState.kind === 'conflict'}>
                {t('提交', 'Submit')}
              </button>
            </div>
          ) : null}
        </form>
      </div>

      {reviewing && head ? (
        <ReviewActions
          path={path}
          head={head}
          comments={comments}
          message={reviewMessage}
          onMessage={setReviewMessage}
          onDone={(next, text) => {
            applyHead(next);
            setComments({});
            setReviewMessage('');
            setNotice({ kind: 'success', text });
          }}
        />
      ) : null}
    </div>
  );
};

const SaveStatus = (props: { state: SaveState; pending: boolean; held: number }) => {
  const t = useT();
  const { state, held } = props;
  const text =
    state.kind === 'saving'
      ? t('正在保存…', 'Saving…')
      : state.kind === 'failed'
        ? t(`保存失败：${state.message}`, `Not saved: ${state.message}`)
        : state.kind === 'conflict'
          ? t('未保存（版本冲突）', 'Not saved (conflict)')
          : held > 0
            ? t(
                `${held} 项有误，未保存`,
                held === 1
                  ? '1 field has an error and is not saved'
                  : `${held} fields have errors and are not saved`,
              )
            : props.pending
              ? t('有未保存的修改', 'Unsaved changes')
              : state.kind === 'saved'
                ? t(`已保存 ${t.dateTime(state.at)}`, `Saved ${t.dateTime(state.at)}`)
                : t('所有修改已保存', 'All changes saved');
  return (
    <p
      class={`save-status save-${held > 0 ? 'held' : state.kind}`}
      role="status"
      aria-live="polite"
    >
      {text}
    </p>
  );
};

const ReviewComment = (props: {
  field: string;
  value: string;
  onChange: (text: string) => void;
}) => {
  const t = useT();
  const [open, setOpen] = useState(props.value !== '');
  const id = `comment-${props.field}`;
  if (!open) {
    return (
      <button type="button" class="link-button review-toggle" onClick={() => setOpen(true)}>
        {t('对此项提意见', 'Comment on this field')}
      </button>
    );
  }
  return (
    <div class="review-comment">
      <label for={id}>{t('省馆意见', 'Province comment')}</label>
      <textarea
        id={id}
        name={`comments.${props.field}`}
        value={props.value}
        maxLength={MAX_COMMENT_LENGTH}
        onInput={(event) => props.onChange(event.currentTarget.value)}
      />
    </div>
  );
};

const ReviewActions = (props: {
  path: string;
  head: SubmissionView;
  comments: Record<string, string>;
  message: string;
  onMessage: (text: string) => void;
  onDone: (head: SubmissionView, text: string) => void;
}) => {
  const t = useT();
  const { message } = props;
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const act = async (action: 'return' | 'accept') => {
    setError(undefined);
    if (action === 'return' && !message.trim()) {
      setError(t('退回时请填写意见。', 'Write a message to return the report.'));
      return;
    }
    // Accepting is final: the report cannot be returned or changed afterwards.
    if (
      action === 'accept' &&
      !window.confirm(
        t(
          '确定审核通过吗？通过后报告不能再退回或修改。',
          'Accept this report? Once accepted it can no longer be returned or changed.',
        ),
      )
    ) {
      return;
    }
    setBusy(true);
    try {
      const next =
        action === 'return'
          ? await api.returnReport(
              props.path,
              props.head.revision,
              message.trim(),
              Object.fromEntries(
                Object.entries(props.comments)
                  .map(([field, text]) => [field, text.trim()] as const)
                  .filter(([, text]) => text !== ''),
              ),
            )
          : await api.accept(props.path, props.head.revision);
      props.onDone(
        next,
        action === 'return'
          ? t('已退回图书馆修改。', 'Returned to the library.')
          : t('已通过。', 'Accepted.'),
      );
    } catch (failure) {
      setError(problemText(failure, t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card review-actions" aria-labelledby="review-title">
      <h2 id="review-title">{t('审核', 'Review')}</h2>
      <label for="review-message">
        {t('退回意见（退回时必填）', 'Message to the library (required to return)')}
      </label>
      <textarea
        id="review-message"
        name="reviewMessage"
        value={message}
        maxLength={MAX_COMMENT_LENGTH}
        onInput={(event) => props.onMessage(event.currentTarget.value)}
      />
      {error ? (
        <p class="message error" role="alert">
          {error}
        </p>
      ) : null}
      <div class="row">
        <button
          type="button"
          class="button danger"
          disabled={busy}
          onClick={() => void act('return')}
        >
          {t('退回修改', 'Return with comments')}
        </button>
        <button type="button" class="button" disabled={busy} onClick={() => void act('accept')}>
          {t('审核通过', 'Accept')}
        </button>
      </div>
    </section>
  );
};
