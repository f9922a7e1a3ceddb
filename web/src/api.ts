/**
 * The only way the app talks to the server: JSON over /api with the session's bearer token.
 * Problems (RFC 9457 with zh/en messages) become ApiError; a network failure becomes an
 * ApiError with status 0, so every caller handles one kind of failure.
 */
import type { FieldError } from '../../domain/errors.js';
import type { EvidenceItem } from '../../domain/evidence/model.js';
import type { FormDefinition, Standard } from '../../domain/forms/definition.js';
import type { UiModel } from '../../domain/forms/ui-model.js';
import type { PeriodView } from '../../domain/periods/service.js';
import type { Library } from '../../domain/registry/library.js';
import type { RollupFile, RollupRun } from '../../domain/rollup/model.js';
import type { SubmissionView } from '../../domain/submissions/service.js';
import type { Localized } from './i18n.js';

export type {
  EvidenceItem,
  FieldError,
  Library,
  PeriodView,
  RollupRun,
  Standard,
  SubmissionView,
  UiModel,
};

export interface Problem {
  status: number;
  title?: string;
  message?: Localized;
  errors?: FieldError[];
  correlationId?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.message?.en ?? problem.title ?? `HTTP ${status}`);
    this.name = 'ApiError';
  }
}

const NETWORK_MESSAGE: Localized = {
  zh: '无法连接服务器，请检查网络后重试。',
  en: 'Cannot reach the server; check the connection and retry.',
};
const NETWORK_PROBLEM: Problem = { status: 0, message: NETWORK_MESSAGE };

let tokenSource: () => string | undefined = () => undefined;
let onUnauthorized: () => void = () => undefined;

export const configureApi = (options: {
  token: () => string | undefined;
  unauthorized: () => void;
}) => {
  tokenSource = options.token;
  onUnauthorized = options.unauthorized;
};

export const request = async <T>(
  method: string,
  path: string,
  options: { body?: unknown; idempotencyKey?: string } = {},
): Promise<T> => {
  const token = tokenSource();
  let response: Response;
  try {
    response = await fetch(`/api${path}`, {
      method,
      headers: {
        accept: 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : {}),
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
  } catch {
    throw new ApiError(0, NETWORK_PROBLEM);
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    if (response.status === 401) onUnauthorized();
    const problem = (body && typeof body === 'object' ? body : {}) as Partial<Problem>;
    throw new ApiError(response.status, { ...problem, status: response.status });
  }
  return body as T;
};

export interface FormSummary {
  formId: string;
  version: string;
  title: Localized;
  periodType: 'annual' | 'half-year';
  versions: string[];
}

export type FormView = UiModel & {
  definition: FormDefinition;
  versions: string[];
  standards: Standard[];
};

export type HeadSummary = Omit<
  SubmissionView,
  'values' | 'derived' | 'validation' | 'previous' | 'window'
>;

export interface PublishedRollup {
  runId: string;
  prefix: string;
  asOf: string;
  files: (RollupFile & { downloadUrl: string })[];
}

export interface RollupStatus {
  formId: string;
  period: string;
  latestRun?: RollupRun;
  published?: PublishedRollup;
}

/** A listed evidence item; verified ones carry a short-lived download link. */
export type EvidenceView = EvidenceItem & { downloadUrl?: string };

export interface UploadTicket {
  evidence: EvidenceItem;
  upload: { url: string; fields: Record<string, string>; expiresAt: string };
}

export const submissionPath = (libraryId: string, formId: string, period: string) =>
  `/libraries/${encodeURIComponent(libraryId)}/submissions/${encodeURIComponent(formId)}/${encodeURIComponent(period)}`;

/**
 * One Idempotency-Key per distinct write (method, path and body) until it succeeds: when a
 * response is lost, a retry of the same write carries the same key, so the server replays
 * its first answer instead of refusing a revision that write already moved on.
 */
export const createRetryKeys = (newKey: () => string = () => crypto.randomUUID(), limit = 50) => {
  const keys = new Map<string, string>();
  const idOf = (method: string, path: string, body: unknown) =>
    `${method} ${path} ${JSON.stringify(body)}`;
  return {
    key: (method: string, path: string, body: unknown): string => {
      const id = idOf(method, path, body);
      const known = keys.get(id);
      if (known) return known;
      const key = newKey();
      keys.set(id, key);
      // Writes that never succeed (offline for hours) must not pile up: forget the oldest.
      for (const oldest of keys.keys()) {
        if (keys.size <= limit) break;
        keys.delete(oldest);
      }
      return key;
    },
    /** The write succeeded: a later identical one is a new action with a new key. */
    done: (method: string, path: string, body: unknown) => {
      keys.delete(idOf(method, path, body));
    },
  };
};

const retryKeys = createRetryKeys();

/** A write that may be retried: the same one keeps its Idempotency-Key until it succeeds. */
const idempotentWrite = async <T>(method: string, path: string, body: unknown): Promise<T> => {
  const result = await request<T>(method, path, {
    body,
    idempotencyKey: retryKeys.key(method, path, body),
  });
  retryKeys.done(method, path, body);
  return result;
};

export const api = {
  forms: () => request<{ items: FormSummary[] }>('GET', '/forms'),
  form: (formId: string, version?: string) =>
    request<FormView>(
      'GET',
      `/forms/${encodeURIComponent(formId)}${version ? `?version=${encodeURIComponent(version)}` : ''}`,
    ),
  libraries: () => request<{ items: Library[] }>('GET', '/libraries'),
  period: (formId: string, period: string) =>
    request<PeriodView>(
      'GET',
      `/periods/${encodeURIComponent(formId)}/${encodeURIComponent(period)}`,
    ),
  submission: (libraryId: string, formId: string, period: string) =>
    request<SubmissionView>('GET', submissionPath(libraryId, formId, period)),
  /** `formVersion`: the version the values are written in; the current one moves a draft onto it. */
  save: (
    path: string,
    values: Record<string, unknown>,
    expectedRevision: number,
    explanations: Record<string, string>,
    formVersion?: string,
  ) =>
    idempotentWrite<SubmissionView>('PUT', path, {
      values,
      expectedRevision,
      explanations,
      ...(formVersion === undefined ? {} : { formVersion }),
    }),
  submit: (path: string, expectedRevision: number, explanations: Record<string, string>) =>
    idempotentWrite<SubmissionView>('POST', `${path}/submit`, { expectedRevision, explanations }),
  returnReport: (
    path: string,
    expectedRevision: number,
    message: string,
    fieldComments: Record<string, string>,
  ) =>
    idempotentWrite<SubmissionView>('POST', `${path}/return`, {
      expectedRevision,
      message,
      fieldComments,
    }),
  accept: (path: string, expectedRevision: number) =>
    idempotentWrite<SubmissionView>('POST', `${path}/accept`, { expectedRevision }),
  submissions: (formId: string, period: string, cursor?: string) =>
    request<{ items: HeadSummary[]; nextCursor?: string }>(
      'GET',
      `/submissions?${new URLSearchParams({ formId, period, limit: '100', ...(cursor ? { cursor } : {}) })}`,
    ),
  evidence: (path: string) => request<{ items: EvidenceView[] }>('GET', `${path}/evidence`),
  presign: (
    path: string,
    body: { fileName: string; contentType: string; size: number; sectionKey?: string },
  ) => request<UploadTicket>('POST', `${path}/evidence`, { body }),
  completeEvidence: (path: string, evidenceId: string) =>
    request<EvidenceItem>('POST', `${path}/evidence/${encodeURIComponent(evidenceId)}/complete`),
  deleteEvidence: (path: string, evidenceId: string) =>
    request<void>('DELETE', `${path}/evidence/${encodeURIComponent(evidenceId)}`),
  rollup: (formId: string, period: string) =>
    request<RollupStatus>(
      'GET',
      `/rollups/${encodeURIComponent(formId)}/${encodeURIComponent(period)}`,
    ),
  startRollup: (formId: string, period: string) =>
    request<RollupRun>(
      'POST',
      `/rollups/${encodeURIComponent(formId)}/${encodeURIComponent(period)}`,
    ),
};

/** For reads where "not there yet" is an answer, e.g. a report before its first save. */
export const notFoundAsUndefined = (error: unknown): undefined => {
  if (error instanceof ApiError && error.status === 404) return undefined;
  throw error;
};

/** Every head of a form and period, following the cursor. */
export const allSubmissions = async (formId: string, period: string): Promise<HeadSummary[]> => {
  const items: HeadSummary[] = [];
  let cursor: string | undefined;
  do {
    const page = await api.submissions(formId, period, cursor);
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
};

/**
 * Storage refused an upload. A 403 is almost always the presigned policy expiring while a slow
 * connection was still sending; a fresh choice of the file asks for a new one.
 */
export const uploadError = (status: number): ApiError =>
  new ApiError(status, {
    status,
    message:
      status === 403
        ? {
            zh: '上传链接已过期，请重新选择文件上传。',
            en: 'The upload link expired; choose the file again.',
          }
        : statusMessage(status),
  });

/** How long an upload may go without progress before it counts as failed. */
const UPLOAD_STALL_MS = 60_000;

/** Uploads a file with a presigned POST, reporting progress (0…1). */
export const uploadWithProgress = (
  ticket: UploadTicket['upload'],
  file: File,
  onProgress: (fraction: number) => void,
): Promise<void> =>
  new Promise((resolve, reject) => {
    const form = new FormData();
    for (const [name, value] of Object.entries(ticket.fields)) form.append(name, value);
    form.append('file', file);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', ticket.url);
    // An upload that makes no progress for a while has stalled (a phone losing its network
    // mid-transfer may never see an error): it fails, so its place goes to the next file.
    let stall: ReturnType<typeof setTimeout> | undefined;
    const watch = () => {
      clearTimeout(stall);
      stall = setTimeout(() => xhr.abort(), UPLOAD_STALL_MS);
    };
    const settle = (outcome: () => void) => () => {
      clearTimeout(stall);
      outcome();
    };
    xhr.upload.addEventListener('progress', (event) => {
      watch();
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    xhr.addEventListener(
      'load',
      settle(() =>
        xhr.status >= 200 && xhr.status < 300 ? resolve() : reject(uploadError(xhr.status)),
      ),
    );
    for (const failure of ['error', 'abort', 'timeout']) {
      xhr.addEventListener(
        failure,
        settle(() => reject(new ApiError(0, NETWORK_PROBLEM))),
      );
    }
    watch();
    xhr.send(form);
  });

/**
 * What to say when a response carries no problem of ours: a gateway, CloudFront or storage
 * answered, not the API, so only the status tells what happened.
 */
export const statusMessage = (status: number): Localized => {
  switch (status) {
    case 0:
      return NETWORK_MESSAGE;
    case 400:
      return {
        zh: '服务器未能接受该请求，请刷新页面后重试。',
        en: 'The server did not accept the request; reload the page and try again.',
      };
    case 401:
      return { zh: '登录已过期，请重新登录。', en: 'Your sign-in has expired; sign in again.' };
    case 403:
      return { zh: '您没有权限执行此操作。', en: 'You are not allowed to do this.' };
    case 404:
      return {
        zh: '找不到所请求的内容，可能已被删除。',
        en: 'What was asked for was not found; it may have been removed.',
      };
    case 413:
      return {
        zh: '提交的内容过大，请减少内容后重试。',
        en: 'What was sent is too large; make it smaller and try again.',
      };
    case 429:
      return {
        zh: '请求过于频繁，请稍等片刻再试。',
        en: 'Too many requests; wait a moment and try again.',
      };
    case 502:
    case 503:
    case 504:
      return {
        zh: '服务暂时不可用，请稍后重试。',
        en: 'The service is temporarily unavailable; try again shortly.',
      };
    default:
      return status >= 500
        ? {
            zh: '服务器出错，请稍后重试。',
            en: 'The server ran into a problem; try again shortly.',
          }
        : {
            zh: `请求未成功（HTTP ${status}），请重试。`,
            en: `The request failed (HTTP ${status}); please retry.`,
          };
  }
};

/** A problem's text in the current language, with its correlation id for a 5xx. */
export const problemText = (error: unknown, t: (text: Localized) => string): string => {
  if (!(error instanceof ApiError))
    return t({ zh: '出现意外错误，请重试。', en: 'Something went wrong; please retry.' });
  const message = t(error.problem.message ?? statusMessage(error.status));
  return error.status >= 500 && error.problem.correlationId
    ? `${message} (${error.problem.correlationId})`
    : message;
};
