/** Small pieces shared by the pages. */
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { problemText, type SubmissionView } from './api.js';
import { type Localized, useT } from './i18n.js';

export type ReportStatus = SubmissionView['status'] | 'missing';

export const STATUS_TEXT: Record<ReportStatus, Localized> = {
  missing: { zh: '未填报', en: 'not started' },
  draft: { zh: '草稿', en: 'draft' },
  submitted: { zh: '已提交', en: 'submitted' },
  returned: { zh: '已退回', en: 'returned' },
  accepted: { zh: '已通过', en: 'accepted' },
};

export const StatusBadge = (props: { status: ReportStatus }) => {
  const t = useT();
  return <span class={`badge status-${props.status}`}>{t(STATUS_TEXT[props.status])}</span>;
};

export const Banner = (props: {
  kind: 'error' | 'warning' | 'info' | 'success';
  children: ComponentChildren;
}) => (
  <div class={`banner ${props.kind}`} role={props.kind === 'error' ? 'alert' : 'status'}>
    {props.children}
  </div>
);

export type Loadable<T> =
  | { state: 'loading' }
  | { state: 'failed'; error: unknown }
  | { state: 'ready'; value: T };

/** Runs a loader when its dependencies change; `reload` runs it again. */
export const useLoad = <T,>(load: () => Promise<T>, dependencies: unknown[]) => {
  const [result, setResult] = useState<Loadable<T>>({ state: 'loading' });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    let current = true;
    setResult({ state: 'loading' });
    load().then(
      (value) => current && setResult({ state: 'ready', value }),
      (error: unknown) => current && setResult({ state: 'failed', error }),
    );
    return () => {
      current = false;
    };
  }, [...dependencies, generation]);
  const reload = useCallback(() => setGeneration((value) => value + 1), []);
  return [result, reload] as const;
};

export const Loading = () => {
  const t = useT();
  return (
    <p class="muted" aria-live="polite">
      {t('正在加载…', 'Loading…')}
    </p>
  );
};

/** Why loading failed, with a button to try again: a failed load is often a passing outage. */
export const LoadFailed = (props: { error: unknown; retry: () => void }) => {
  const t = useT();
  return (
    <Banner kind="error">
      {problemText(props.error, t)}{' '}
      <button type="button" class="link-button" onClick={props.retry}>
        {t('重试', 'Retry')}
      </button>
    </Banner>
  );
};

/**
 * Text for the office's IT staff (an error's name, what a provider answered), folded away
 * under the sentence the person reads.
 */
export const TechnicalDetails = (props: { text: string }) => {
  const t = useT();
  return (
    <details class="technical-details">
      <summary>{t('技术信息', 'Technical details')}</summary>
      <code>{props.text}</code>
    </details>
  );
};
