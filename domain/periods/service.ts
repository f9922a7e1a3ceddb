/** Reads and administers period windows and lock exceptions. */

import { authorize } from '../auth/policy.js';
import type { Principal } from '../auth/principal.js';
import { BadRequestError } from '../errors.js';
import type { FormRegistry } from '../forms/catalog.js';
import { defaultWindow } from '../forms/periods.js';
import { resolveForm } from '../forms/resolve.js';
import { issuesToFieldErrors } from '../messages.js';
import type { LibraryStore } from '../registry/library.js';
import { PeriodExceptionBody } from '../submissions/commands.js';
import { actorOf } from '../submissions/model.js';
import {
  assertWritable,
  type LockException,
  type PeriodStore,
  PeriodWindow,
  type StoredWindow,
} from './window.js';
import { isWithinBound } from './writable.js';

export type ResolvedWindow = PeriodWindow & { source: 'default' | 'custom' };

export interface PeriodView extends ResolvedWindow {
  formId: string;
  period: string;
  /** For a library: its own exception; for the province: every exception. */
  exceptions: LockException[];
}

export class PeriodService {
  constructor(
    private readonly deps: {
      store: PeriodStore;
      forms: FormRegistry;
      /** The registry: an exception is granted to a library in it. */
      libraries: Pick<LibraryStore, 'getLibrary'>;
      now: () => Date;
    },
  ) {}

  /** The administrator's window when one was set, else the default from forms/periods.yaml. */
  async windowFor(formId: string, period: string): Promise<ResolvedWindow> {
    return this.resolveWindow(formId, period, await this.deps.store.getWindow(formId, period));
  }

  private resolveWindow(
    formId: string,
    period: string,
    stored: StoredWindow | undefined,
  ): ResolvedWindow {
    const form = resolveForm(this.deps.forms, formId, period);
    if (stored) {
      return {
        opensAt: stored.opensAt,
        dueAt: stored.dueAt,
        locksAt: stored.locksAt,
        source: 'custom',
      };
    }
    const window = defaultWindow(
      this.deps.forms.catalog.periods,
      form.definition.periodType,
      period,
    );
    if (!window) throw new Error(`No default window for ${formId} ${period}`);
    return { ...window, source: 'default' };
  }

  /**
   * 423 unless the library may write to this form and period now; else the window, which a
   * write's answer shows, so the caller need not read it again.
   */
  async assertLibraryMayWrite(
    formId: string,
    period: string,
    libraryId: string,
  ): Promise<ResolvedWindow> {
    const stored = await this.deps.store.getWindowAndException(formId, period, libraryId);
    const window = this.resolveWindow(formId, period, stored.window);
    assertWritable(window, stored.exception, this.deps.now());
    return window;
  }

  /** Every lock exception of a period, for the system's own use (the nightly rollup). */
  async exceptionsOf(formId: string, period: string): Promise<LockException[]> {
    return this.deps.store.listExceptions(formId, period);
  }

  async get(principal: Principal, formId: string, period: string): Promise<PeriodView> {
    authorize(principal, 'period:read');
    const [window, exceptions] = await Promise.all([
      this.windowFor(formId, period),
      this.deps.store.listExceptions(formId, period),
    ]);
    return {
      formId,
      period,
      ...window,
      exceptions:
        principal.role === 'library'
          ? exceptions.filter((exception) => exception.libraryId === principal.libraryId)
          : exceptions,
    };
  }

  async update(
    principal: Principal,
    formId: string,
    period: string,
    body: unknown,
  ): Promise<PeriodView> {
    authorize(principal, 'period:manage');
    resolveForm(this.deps.forms, formId, period);
    const parsed = PeriodWindow.safeParse(body);
    if (!parsed.success) {
      throw new BadRequestError(
        { zh: '时间设置有误。', en: 'The window is not valid.' },
        { errors: issuesToFieldErrors(parsed.error.issues) },
      );
    }
    await this.deps.store.putWindow(formId, period, {
      ...parsed.data,
      updatedBy: actorOf(principal),
      updatedAt: this.deps.now().toISOString(),
    });
    return this.get(principal, formId, period);
  }

  async addException(
    principal: Principal,
    formId: string,
    period: string,
    input: unknown,
  ): Promise<LockException> {
    authorize(principal, 'period:manage');
    resolveForm(this.deps.forms, formId, period);
    const parsed = PeriodExceptionBody.safeParse(input);
    if (!parsed.success) {
      throw new BadRequestError(
        { zh: '例外设置有误。', en: 'The exception is not valid.' },
        { errors: issuesToFieldErrors(parsed.error.issues) },
      );
    }
    const body = parsed.data;
    const until = new Date(body.until);
    const [{ locksAt }, library] = await Promise.all([
      this.windowFor(formId, period),
      this.deps.libraries.getLibrary(body.libraryId),
    ]);
    // A mistyped id would be stored and let no library write.
    if (!library) {
      throw new BadRequestError(
        { zh: '登记册中没有这个图书馆。', en: 'No library in the registry has this id.' },
        {
          errors: [
            {
              path: 'libraryId',
              code: 'unknown_library',
              message: {
                zh: `登记册中没有代码为 ${body.libraryId} 的图书馆`,
                en: `no library with the code ${body.libraryId} is in the registry`,
              },
            },
          ],
        },
      );
    }
    // An exception only ever extends writing past the lock: one ending before, or already over,
    // would be stored and silently never apply.
    if (until.getTime() <= this.deps.now().getTime() || isWithinBound(until, locksAt)) {
      throw new BadRequestError(
        {
          zh: '例外的截止时间必须晚于现在和本期的锁定时间。',
          en: 'The exception must end after now and after the period locks.',
        },
        {
          errors: [
            {
              path: 'until',
              code: 'until_too_early',
              message: {
                zh: `须晚于锁定时间 ${locksAt} 和当前时间`,
                en: `must be later than the lock (${locksAt}) and now`,
              },
            },
          ],
        },
      );
    }
    const exception: LockException = {
      libraryId: body.libraryId,
      until: until.toISOString(),
      grantedBy: actorOf(principal),
      grantedAt: this.deps.now().toISOString(),
    };
    await this.deps.store.putException(formId, period, exception);
    return exception;
  }
}
