/**
 * The submission lifecycle: draft → submitted → accepted, or submitted → returned → (edits) →
 * submitted; an administrator may reopen an accepted report. Every step writes an immutable
 * revision and moves the head in one conditional write, so a stale client gets a conflict and
 * nothing saved is ever overwritten.
 */

import { authorize } from '../auth/policy.js';
import type { Principal } from '../auth/principal.js';
import {
  BadRequestError,
  ConflictError,
  type FieldError,
  NotFoundError,
  PayloadTooLargeError,
  UnprocessableError,
} from '../errors.js';
import type { FormRegistry } from '../forms/catalog.js';
import { compareVersions } from '../forms/check.js';
import {
  type CompiledForm,
  computeDerived,
  type FormValues,
  type ValidationReport,
  validateDraft,
  validateFinal,
} from '../forms/compile.js';
import { definitionsUpTo, keyInLaterVersion, valuesAsLaterVersion } from '../forms/migrate.js';
import { previousPeriod } from '../forms/periods.js';
import { resolveForm } from '../forms/resolve.js';
import type { PeriodService, ResolvedWindow } from '../periods/service.js';
import { firstSubmissionOf } from '../periods/writable.js';
import type { AcceptBody, ReopenBody, ReturnBody, SaveDraftBody, SubmitBody } from './commands.js';
import {
  type Actor,
  actorOf,
  type Review,
  type SubmissionAction,
  type SubmissionHead,
  type SubmissionKey,
  type SubmissionRevision,
  type SubmissionStatus,
} from './model.js';
import {
  type Page,
  type PageRequest,
  RevisionConflictError,
  type SubmissionStore,
} from './store.js';

export interface SubmissionView extends SubmissionHead {
  derived: Record<string, number>;
  validation: ValidationReport;
  /** The same library's previous period, shown beside each number and used by rules. */
  previous?: { period: string; values: FormValues };
  window: ResolvedWindow;
}

export interface SubmissionServiceDeps {
  store: SubmissionStore;
  periods: PeriodService;
  forms: FormRegistry;
  now: () => Date;
}

type PreviousValues = NonNullable<SubmissionView['previous']>;

interface WriteContext {
  current: SubmissionHead | undefined;
  /** The report's own version (the active one for a report not yet saved). */
  form: CompiledForm;
  /** The form's active version, which new reports use and drafts may move onto. */
  activeForm: CompiledForm;
  window: ResolvedWindow;
  previous: PreviousValues | undefined;
}

/** A head as the API shows it; `validation` when the caller has just computed it. */
const viewOf = (
  form: CompiledForm,
  head: SubmissionHead,
  previous: PreviousValues | undefined,
  window: ResolvedWindow,
  validation: ValidationReport = validateDraft(form, head.values, previous?.values),
): SubmissionView => ({
  ...head,
  derived: computeDerived(form, head.values),
  validation,
  ...(previous ? { previous } : {}),
  window,
});

const EDITABLE: readonly SubmissionStatus[] = ['draft', 'returned'];
const STATUS_TEXT: Record<SubmissionStatus, { zh: string; en: string }> = {
  draft: { zh: '草稿', en: 'draft' },
  submitted: { zh: '已提交', en: 'submitted' },
  returned: { zh: '已退回', en: 'returned' },
  accepted: { zh: '已通过', en: 'accepted' },
};

const notFound = (key: SubmissionKey) =>
  new NotFoundError({
    zh: `${key.libraryId} 尚未填写 ${key.formId} ${key.period} 的报告。`,
    en: `There is no ${key.formId} report for ${key.period} from ${key.libraryId} yet.`,
  });

const staleRevision = (expected: number, current: number) =>
  new ConflictError(
    {
      zh: `报告已被他人更新（当前版本 ${current}，您编辑的是版本 ${expected}），请刷新后再保存。`,
      en: `Someone else saved this report (now revision ${current}; you edited ${expected}). Reload before saving.`,
    },
    {
      errors: [
        {
          path: 'expectedRevision',
          code: 'stale_revision',
          message: { zh: '版本已过期', en: 'stale revision' },
        },
      ],
    },
  );

/**
 * The most a report may take as stored (its head as JSON), well below DynamoDB's 400 KB item
 * limit, which its head and each revision must fit: JSON takes at least the bytes DynamoDB counts
 * for the same values. Each request is capped on its own, but values, explanations and the
 * province's comments add up on the head.
 */
export const MAX_REPORT_BYTES = 300_000;
/** The body field by which each action grows the report, where a report too large is refused. */
const GROWN_BY: Partial<Record<SubmissionAction, string>> = {
  save: 'values',
  submit: 'explanations',
  return: 'fieldComments',
  reopen: 'message',
};

/**
 * The form a draft save writes in: the report's own version, or the active one it moves onto.
 * An older version than the report's means the report moved on since the client loaded it
 * (409, to load it again); any other version is refused (400).
 */
const draftForm = (
  { form, activeForm }: Pick<WriteContext, 'form' | 'activeForm'>,
  asked: string | undefined,
): CompiledForm => {
  const own = form.definition.version;
  const active = activeForm.definition.version;
  if (asked === undefined || asked === own) return form;
  if (asked === active) return activeForm;
  if (compareVersions(asked, own) < 0) {
    throw new ConflictError(
      {
        zh: `这份报告现按表单 ${own} 版填写（本页为 ${asked} 版），请重新载入页面。`,
        en: `This report now uses form version ${own} (this page has ${asked}); load it again.`,
      },
      {
        errors: [
          {
            path: 'formVersion',
            code: 'form_version_moved',
            message: { zh: `报告现为 ${own} 版`, en: `the report is on ${own}` },
          },
        ],
      },
    );
  }
  throw new BadRequestError(
    {
      zh: `报告只能改用表单的现行版本 ${active}（报告现为 ${own} 版），不能改用 ${asked} 版。`,
      en: `A report can only move onto the form's current version ${active} (it is on ${own}), not ${asked}.`,
    },
    {
      errors: [
        {
          path: 'formVersion',
          code: 'not_current_version',
          message: { zh: `应为 ${own} 或 ${active}`, en: `must be ${own} or ${active}` },
        },
      ],
    },
  );
};

/** Explanations may only name rules of the report's form: 400 at `explanations.<id>` otherwise. */
const refuseUnknownRules = (form: CompiledForm, explanations: Readonly<Record<string, string>>) => {
  const unknownRules = Object.keys(explanations).filter(
    (ruleId) => !form.rules.some((rule) => rule.id === ruleId),
  );
  if (unknownRules.length === 0) return;
  throw new BadRequestError(
    {
      zh: '说明对应的校验规则不存在。',
      en: 'Explanations name rules this form does not have.',
    },
    {
      errors: unknownRules.map((ruleId) => ({
        path: `explanations.${ruleId}`,
        code: 'unknown_rule',
        message: { zh: `没有规则“${ruleId}”`, en: `No rule "${ruleId}"` },
      })),
    },
  );
};

const tooLarge = (bytes: number, action: SubmissionAction) => {
  const size = { now: Math.ceil(bytes / 1000), limit: MAX_REPORT_BYTES / 1000 };
  const path = GROWN_BY[action];
  return new PayloadTooLargeError(
    {
      zh: `报告内容过多（约 ${size.now} KB，上限 ${size.limit} KB），请缩短文字说明或意见后重试。`,
      en: `The report would take about ${size.now} KB (limit ${size.limit} KB); shorten its texts or comments.`,
    },
    path === undefined
      ? {}
      : {
          errors: [
            {
              path,
              code: 'report_too_large',
              message: {
                zh: `报告总量超过 ${size.limit} KB`,
                en: `the report would exceed ${size.limit} KB`,
              },
            },
          ],
        },
  );
};

const wrongState = (status: SubmissionStatus, action: SubmissionAction) =>
  new ConflictError({
    zh: `报告当前状态为“${STATUS_TEXT[status].zh}”，不能执行此操作。`,
    en: `The report is ${STATUS_TEXT[status].en}; it cannot be ${action === 'save' ? 'edited' : `${action}ed`} now.`,
  });

export class SubmissionService {
  constructor(private readonly deps: SubmissionServiceDeps) {}

  private formFor(formId: string, period: string, version?: string): CompiledForm {
    return resolveForm(this.deps.forms, formId, period, version);
  }

  /** Every version of a form up to `version`: what reading a report as that version goes through. */
  private definitionsUpTo(formId: string, version: string) {
    return definitionsUpTo(this.deps.forms.definitionsOf(formId), version);
  }

  /**
   * The previous period's report as rules compare with it, once it was submitted: read as its
   * own version reads it (its hidden fields left out), then in the keys of `version`, the
   * version of the report compared with it.
   */
  private previousValuesOf(
    period: string,
    head: SubmissionHead | undefined,
    version: string,
  ): PreviousValues | undefined {
    if (!head || (head.status !== 'submitted' && head.status !== 'accepted')) return undefined;
    const upTo = this.definitionsUpTo(head.formId, version);
    const own = this.deps.forms.get(head.formId, head.formVersion);
    return { period, values: valuesAsLaterVersion(own, upTo, head.formVersion, head.values) };
  }

  private async previousValues(
    form: CompiledForm,
    key: SubmissionKey,
  ): Promise<PreviousValues | undefined> {
    const period = previousPeriod(form.definition.periodType, key.period);
    return period
      ? this.previousValuesOf(
          period,
          await this.deps.store.getHead({ ...key, period }),
          form.definition.version,
        )
      : undefined;
  }

  /**
   * A report's head and its previous period's values, in one read: read as the version the
   * write asks for, else as the report's own, else as the form's active version (`form`).
   */
  private async headAndPreviousValues(
    form: CompiledForm,
    key: SubmissionKey,
    version: string | undefined,
  ): Promise<[SubmissionHead | undefined, PreviousValues | undefined]> {
    const period = previousPeriod(form.definition.periodType, key.period);
    if (!period) return [await this.deps.store.getHead(key), undefined];
    const [head, previous] = await this.deps.store.getHeads([key, { ...key, period }]);
    return [
      head,
      this.previousValuesOf(
        period,
        previous,
        version ?? head?.formVersion ?? form.definition.version,
      ),
    ];
  }

  private async view(head: SubmissionHead): Promise<SubmissionView> {
    const form = this.formFor(head.formId, head.period, head.formVersion);
    const [previous, window] = await Promise.all([
      this.previousValues(form, head),
      this.deps.periods.windowFor(head.formId, head.period),
    ]);
    return viewOf(form, head, previous, window);
  }

  /**
   * What a library's write needs, read at once rather than one after another (a save's latency
   * and its load on the table are mostly these round trips): the head, the window (423 unless
   * the library may write now) and the previous period's values. Errors keep their precedence:
   * storage, then a missing report (when it must exist), then the window.
   */
  private async readForWrite(
    key: SubmissionKey,
    reportMustExist: true,
  ): Promise<WriteContext & { current: SubmissionHead }>;
  /** `formVersion`: the version a draft save writes in, which the previous values are read as. */
  private async readForWrite(
    key: SubmissionKey,
    reportMustExist: false,
    formVersion?: string,
  ): Promise<WriteContext>;
  private async readForWrite(
    key: SubmissionKey,
    reportMustExist: boolean,
    formVersion?: string,
  ): Promise<WriteContext> {
    const activeForm = this.formFor(key.formId, key.period);
    const [heads, window] = await Promise.allSettled([
      this.headAndPreviousValues(activeForm, key, formVersion),
      this.deps.periods.assertLibraryMayWrite(key.formId, key.period, key.libraryId),
    ]);
    if (heads.status === 'rejected') throw heads.reason;
    const [current, previous] = heads.value;
    if (!current && reportMustExist) throw notFound(key);
    if (window.status === 'rejected') throw window.reason;
    return {
      current,
      form: current ? this.formFor(key.formId, key.period, current.formVersion) : activeForm,
      activeForm,
      window: window.value,
      previous,
    };
  }

  private async existingHead(key: SubmissionKey): Promise<SubmissionHead> {
    const head = await this.deps.store.getHead(key);
    if (!head) throw notFound(key);
    return head;
  }

  /** Writes the next revision; maps a lost race to 409. */
  private async commit(
    previous: SubmissionHead | undefined,
    next: Omit<SubmissionHead, 'revision' | 'updatedAt' | 'updatedBy' | 'createdAt'> & {
      createdAt?: string;
    },
    action: SubmissionAction,
    actor: Actor,
  ): Promise<SubmissionHead> {
    const at = this.deps.now().toISOString();
    const expectedRevision = previous?.revision ?? 0;
    const head: SubmissionHead = {
      ...next,
      revision: expectedRevision + 1,
      createdAt: previous?.createdAt ?? at,
      updatedAt: at,
      updatedBy: actor,
    };
    const bytes = new TextEncoder().encode(JSON.stringify(head)).byteLength;
    if (bytes > MAX_REPORT_BYTES) throw tooLarge(bytes, action);
    const revision: SubmissionRevision = {
      libraryId: head.libraryId,
      formId: head.formId,
      period: head.period,
      revision: head.revision,
      action,
      status: head.status,
      formVersion: head.formVersion,
      values: head.values,
      explanations: head.explanations,
      ...(head.review ? { review: head.review } : {}),
      actor,
      at,
    };
    try {
      await this.deps.store.commit(head, revision, expectedRevision);
    } catch (error) {
      if (error instanceof RevisionConflictError) {
        const current = await this.deps.store.getHead(head);
        throw staleRevision(expectedRevision, current?.revision ?? 0);
      }
      throw error;
    }
    return head;
  }

  async get(principal: Principal, key: SubmissionKey): Promise<SubmissionView> {
    authorize(principal, 'submission:read', key.libraryId);
    this.formFor(key.formId, key.period);
    return this.view(await this.existingHead(key));
  }

  /** Saves a draft as a new revision; `expectedRevision: 0` creates the report. */
  async saveDraft(
    principal: Principal,
    key: SubmissionKey,
    body: SaveDraftBody,
  ): Promise<{ created: boolean; view: SubmissionView }> {
    authorize(principal, 'submission:edit', key.libraryId);
    const context = await this.readForWrite(key, false, body.formVersion);
    const { current, window, previous } = context;
    if ((current?.revision ?? 0) !== body.expectedRevision) {
      throw current
        ? staleRevision(body.expectedRevision, current.revision)
        : new ConflictError(
            {
              zh: '报告尚未创建，请以版本 0 保存。',
              en: 'The report does not exist yet; save with expectedRevision 0.',
            },
            {
              errors: [
                {
                  path: 'expectedRevision',
                  code: 'stale_revision',
                  message: { zh: '应为 0', en: 'must be 0' },
                },
              ],
            },
          );
    }
    if (current && !EDITABLE.includes(current.status)) throw wrongState(current.status, 'save');
    const form = draftForm(context, body.formVersion);
    if (body.explanations) refuseUnknownRules(form, body.explanations);
    const report = validateDraft(form, body.values, previous?.values);
    if (report.fieldErrors.length > 0) {
      throw new BadRequestError(
        {
          zh: '部分数据格式不正确，请检查标出的字段。',
          en: 'Some values are invalid; check the fields listed.',
        },
        { errors: report.fieldErrors.map((error) => ({ ...error, path: `values.${error.path}` })) },
      );
    }
    const head = await this.commit(
      current,
      {
        ...key,
        formVersion: form.definition.version,
        status: current?.status ?? 'draft',
        values: body.values,
        // Moved onto another version, saved explanations of rules it no longer has are dropped.
        explanations: Object.fromEntries(
          Object.entries(body.explanations ?? current?.explanations ?? {}).filter(([ruleId]) =>
            form.rules.some((rule) => rule.id === ruleId),
          ),
        ),
        ...(current?.review ? { review: this.reviewAs(current, form, current.review) } : {}),
        ...(current?.submittedAt ? { submittedAt: current.submittedAt } : {}),
        ...(current?.firstSubmittedAt ? { firstSubmittedAt: current.firstSubmittedAt } : {}),
      },
      'save',
      actorOf(principal),
    );
    return {
      created: current === undefined,
      view: viewOf(form, head, previous, window, report),
    };
  }

  /**
   * A return's field comments as the version a draft is written in names the fields: through
   * the renames since the report's own version; one on a field dropped since stays only in the
   * return's revision.
   */
  private reviewAs(current: SubmissionHead, form: CompiledForm, review: Review): Review {
    if (current.formVersion === form.definition.version) return review;
    const definitions = this.definitionsUpTo(current.formId, form.definition.version);
    const fieldComments = Object.entries(review.fieldComments).flatMap(([field, comment]) => {
      const key = keyInLaterVersion(definitions, current.formVersion, field);
      return key === undefined ? [] : [[key, comment] as const];
    });
    return { ...review, fieldComments: Object.fromEntries(fieldComments) };
  }

  /** Final submission: every field and rule checked, every warning explained. */
  async submit(
    principal: Principal,
    key: SubmissionKey,
    body: SubmitBody,
  ): Promise<SubmissionView> {
    authorize(principal, 'submission:edit', key.libraryId);
    const { current, form, window, previous } = await this.readForWrite(key, true);
    if (current.revision !== body.expectedRevision)
      throw staleRevision(body.expectedRevision, current.revision);
    if (!EDITABLE.includes(current.status)) throw wrongState(current.status, 'submit');

    refuseUnknownRules(form, body.explanations);
    const given = { ...current.explanations, ...body.explanations };

    const report = validateFinal(form, current.values, previous?.values);
    const errors: FieldError[] = [
      ...report.fieldErrors.map((error) => ({ ...error, path: `values.${error.path}` })),
      ...report.ruleErrors.map((violation) => ({
        path: `rules.${violation.ruleId}`,
        code: 'rule_violated',
        message: violation.message,
      })),
      ...report.warnings
        .filter((warning) => !given[warning.ruleId])
        .map((warning) => ({
          path: `explanations.${warning.ruleId}`,
          code: 'explanation_required',
          message: {
            zh: `请说明原因：${warning.message.zh}`,
            en: `Explain this warning: ${warning.message.en}`,
          },
        })),
    ];
    if (errors.length > 0) {
      throw new UnprocessableError(
        {
          zh: `报告还有 ${errors.length} 处问题，需要修改或说明后才能提交。`,
          en: `The report has ${errors.length} problem(s) to fix or explain before it can be submitted.`,
        },
        { errors },
      );
    }
    const explanations = Object.fromEntries(
      report.warnings.flatMap((warning) => {
        const text = given[warning.ruleId];
        return text ? [[warning.ruleId, text]] : [];
      }),
    );
    const { review: _returned, ...rest } = current;
    const submittedAt = this.deps.now().toISOString();
    const head = await this.commit(
      current,
      {
        ...rest,
        status: 'submitted',
        explanations,
        submittedAt,
        // Set once: a return and a resubmission after the due date leave it as it was. A head
        // from before the field was kept has its last submission as the best known first one.
        firstSubmittedAt: firstSubmissionOf(current) ?? submittedAt,
      },
      'submit',
      actorOf(principal),
    );
    return viewOf(form, head, previous, window);
  }

  private async review(
    principal: Principal,
    key: SubmissionKey,
    expectedRevision: number | undefined,
    action: 'return' | 'accept' | 'reopen',
    next: (
      current: SubmissionHead,
      at: string,
    ) => Omit<SubmissionHead, 'revision' | 'updatedAt' | 'updatedBy' | 'createdAt'>,
  ): Promise<SubmissionView> {
    authorize(
      principal,
      action === 'reopen' ? 'submission:reopen' : 'submission:review',
      key.libraryId,
    );
    const current = await this.existingHead(key);
    if (expectedRevision !== undefined && current.revision !== expectedRevision) {
      throw staleRevision(expectedRevision, current.revision);
    }
    const allowed =
      action === 'reopen' ? current.status === 'accepted' : current.status === 'submitted';
    if (!allowed) throw wrongState(current.status, action);
    // Shown under its own version after the write: a version that cannot be resolved must stop
    // the write, not fail the answer to it.
    this.formFor(key.formId, key.period, current.formVersion);
    const head = await this.commit(
      current,
      next(current, this.deps.now().toISOString()),
      action,
      actorOf(principal),
    );
    return this.view(head);
  }

  /** Back to the library with a message and comments on specific fields. */
  async returnToLibrary(
    principal: Principal,
    key: SubmissionKey,
    body: ReturnBody,
  ): Promise<SubmissionView> {
    // Before reading the head: a forbidden caller must not learn from the comment check
    // (judged by the report's own form version) whether the report exists.
    authorize(principal, 'submission:review', key.libraryId);
    const form = this.formFor(key.formId, key.period);
    const current = await this.deps.store.getHead(key);
    const versionForm = current ? this.formFor(key.formId, key.period, current.formVersion) : form;
    const unknownFields = Object.keys(body.fieldComments).filter(
      (field) => !versionForm.fields.has(field),
    );
    if (unknownFields.length > 0) {
      throw new BadRequestError(
        { zh: '批注针对的字段不存在。', en: 'Comments name fields this form does not have.' },
        {
          errors: unknownFields.map((field) => ({
            path: `fieldComments.${field}`,
            code: 'unknown_field',
            message: { zh: `表单中没有字段“${field}”`, en: `Unknown field "${field}"` },
          })),
        },
      );
    }
    return this.review(principal, key, body.expectedRevision, 'return', (head, at) => ({
      ...head,
      status: 'returned',
      review: {
        message: body.message,
        fieldComments: body.fieldComments,
        by: actorOf(principal),
        at,
      },
    }));
  }

  async accept(
    principal: Principal,
    key: SubmissionKey,
    body: AcceptBody,
  ): Promise<SubmissionView> {
    this.formFor(key.formId, key.period);
    return this.review(principal, key, body.expectedRevision, 'accept', (head, at) => {
      const { review: _review, ...rest } = head;
      return { ...rest, status: 'accepted', acceptedAt: at };
    });
  }

  /** An administrator reopens an accepted report; the library sees why. */
  async reopen(
    principal: Principal,
    key: SubmissionKey,
    body: ReopenBody,
  ): Promise<SubmissionView> {
    this.formFor(key.formId, key.period);
    return this.review(principal, key, body.expectedRevision, 'reopen', (head, at) => {
      const { acceptedAt: _acceptedAt, ...rest } = head;
      return {
        ...rest,
        status: 'returned',
        review: { message: body.message, fieldComments: {}, by: actorOf(principal), at },
      };
    });
  }

  async listRevisions(
    principal: Principal,
    key: SubmissionKey,
    page: PageRequest,
  ): Promise<Page<Omit<SubmissionRevision, 'values'>>> {
    authorize(principal, 'submission:read', key.libraryId);
    this.formFor(key.formId, key.period);
    await this.existingHead(key);
    const result = await this.deps.store.listRevisions(key, page);
    return {
      ...result,
      items: result.items.map(({ values: _values, ...summary }) => summary),
    };
  }

  async getRevision(
    principal: Principal,
    key: SubmissionKey,
    revision: number,
  ): Promise<SubmissionRevision> {
    authorize(principal, 'submission:read', key.libraryId);
    this.formFor(key.formId, key.period);
    const found = await this.deps.store.getRevision(key, revision);
    if (!found) {
      throw new NotFoundError({ zh: `没有第 ${revision} 版。`, en: `No revision ${revision}.` });
    }
    return found;
  }

  /** Every report of a form and period, for the province, without their values. */
  async list(principal: Principal, formId: string, period: string, page: PageRequest) {
    authorize(principal, 'submissions:list');
    this.formFor(formId, period);
    const result = await this.deps.store.listHeads(formId, period, page);
    return {
      ...result,
      items: result.items.map(({ values: _values, ...summary }) => summary),
    };
  }
}
