/**
 * Whether a library may write to a period now: between opensAt and locksAt, or after the lock
 * while an administrator's exception for it lasts. Free of zod so the web app shares it.
 */
export type WritableState = 'not-open' | 'open' | 'locked';

export const writableState = (
  window: { opensAt: string; locksAt: string },
  exception: { until: string } | undefined,
  now: Date,
): WritableState => {
  const at = now.getTime();
  if (at < Date.parse(window.opensAt)) return 'not-open';
  if (at >= Date.parse(window.locksAt) && !(exception && at < Date.parse(exception.until))) {
    return 'locked';
  }
  return 'open';
};
