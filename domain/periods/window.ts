/**
 * Period windows: when a period opens for writing, when reports are due and when it locks.
 * Defaults come from forms/periods.yaml; an administrator may override a form's period and
 * let one library write after the lock until a given time.
 */
import * as z from 'zod/mini';
import { LibraryId } from '../auth/principal.js';
import { LockedError } from '../errors.js';
import { packMessage } from '../messages.js';
import { Actor } from '../submissions/model.js';
import '../zod-locale.js';
import { writableState } from './writable.js';

const Instant = z.pipe(
  z.iso.datetime({ offset: true }),
  z.transform((text) => new Date(text).toISOString()),
);

export const PeriodWindow = z
  .strictObject({ opensAt: Instant, dueAt: Instant, locksAt: Instant })
  .check(
    z.refine((window) => window.opensAt < window.dueAt, {
      path: ['dueAt'],
      message: packMessage({ zh: '截止时间应晚于开放时间', en: 'dueAt must be after opensAt' }),
    }),
    z.refine((window) => window.dueAt <= window.locksAt, {
      path: ['locksAt'],
      message: packMessage({
        zh: '锁定时间不能早于截止时间',
        en: 'locksAt must not be before dueAt',
      }),
    }),
  );
export type PeriodWindow = z.infer<typeof PeriodWindow>;

export const LockException = z.object({
  libraryId: LibraryId,
  until: z.string(),
  grantedBy: Actor,
  grantedAt: z.string(),
});
export type LockException = z.infer<typeof LockException>;

export const StoredWindow = z.object({
  opensAt: z.string(),
  dueAt: z.string(),
  locksAt: z.string(),
  updatedBy: Actor,
  updatedAt: z.string(),
});
export type StoredWindow = z.infer<typeof StoredWindow>;

/** Port: administrator overrides of period windows and lock exceptions. */
export interface PeriodStore {
  getWindow(formId: string, period: string): Promise<StoredWindow | undefined>;
  putWindow(formId: string, period: string, window: StoredWindow): Promise<void>;
  listExceptions(formId: string, period: string): Promise<LockException[]>;
  /** What decides whether one library may write: the window and that library's exception. */
  getWindowAndException(
    formId: string,
    period: string,
    libraryId: string,
  ): Promise<{ window?: StoredWindow; exception?: LockException }>;
  putException(formId: string, period: string, exception: LockException): Promise<void>;
}

const beijingTime = (iso: string) =>
  new Intl.DateTimeFormat('zh-CN', {
    timeZone: 'Asia/Shanghai',
    dateStyle: 'medium',
    timeStyle: 'short',
  }).format(new Date(iso));

/**
 * Throws LockedError (423) unless a library may write now: between opensAt and locksAt, or
 * after the lock while an administrator's exception for it lasts.
 */
export const assertWritable = (
  window: PeriodWindow,
  exception: LockException | undefined,
  now: Date,
): void => {
  const state = writableState(window, exception, now);
  if (state === 'not-open') {
    throw new LockedError({
      zh: `本期填报尚未开放，开放时间为北京时间 ${beijingTime(window.opensAt)}。`,
      en: `This period opens for reporting at ${window.opensAt}.`,
    });
  }
  if (state === 'locked') {
    throw new LockedError({
      zh: `本期填报已于北京时间 ${beijingTime(window.locksAt)} 锁定；如需补报，请联系管理员开通例外。`,
      en: `This period locked at ${window.locksAt}; ask an administrator for an exception to report late.`,
    });
  }
};
