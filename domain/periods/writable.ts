/**
 * Whether a library may write to a period now: between opensAt and locksAt, or after the lock
 * while an administrator's exception for it lasts; and whether a report went in on time. Free
 * of zod so the web app shares it.
 */
export type WritableState = 'not-open' | 'open' | 'locked';

const epochSecond = (at: Date | string) =>
  Math.floor((typeof at === 'string' ? Date.parse(at) : at.getTime()) / 1000);

/**
 * Whether `at` is no later than a closing bound (dueAt, locksAt, an exception's `until`). Bounds
 * are written to the second (`…23:59:59+08:00`) and hold for all of it, so instants compare by
 * whole seconds: 23:59:59.400 is still within, 00:00:00 is past it.
 */
export const isWithinBound = (at: Date | string, bound: string): boolean =>
  epochSecond(at) <= epochSecond(bound);

/** The first instant (epoch milliseconds) past a closing bound: the end of its second. */
export const boundEndsAt = (bound: string): number => (epochSecond(bound) + 1) * 1000;

export const writableState = (
  window: { opensAt: string; locksAt: string },
  exception: { until: string } | undefined,
  now: Date,
): WritableState => {
  if (now.getTime() < Date.parse(window.opensAt)) return 'not-open';
  if (!isWithinBound(now, window.locksAt) && !(exception && isWithinBound(now, exception.until))) {
    return 'locked';
  }
  return 'open';
};

/**
 * When a report first went in, which on-time is judged by: a province's return and the
 * library's resubmission after the due date must not make an on-time report late. Heads
 * written before `firstSubmittedAt` existed have only `submittedAt`.
 */
export const firstSubmissionOf = (head: {
  firstSubmittedAt?: string;
  submittedAt?: string;
}): string | undefined => head.firstSubmittedAt ?? head.submittedAt;

/** Whether a report was first submitted by the due time; undefined if it never was. */
export const submittedOnTime = (
  head: { firstSubmittedAt?: string; submittedAt?: string },
  dueAt: string,
): boolean | undefined => {
  const first = firstSubmissionOf(head);
  return first === undefined ? undefined : isWithinBound(first, dueAt);
};
