/**
 * Where a library stands in a period's window, by the server's own rule (writableState), so
 * the text beside a period never contradicts whether the library may still write to it.
 */
import { isWithinBound, writableState } from '../../domain/periods/writable.js';
import type { PeriodView } from './api.js';

export type LibraryWindow =
  | { state: 'not-open'; opensAt: string }
  | { state: 'locked' }
  | {
      state: 'open';
      dueAt: string;
      overdue: boolean;
      /** Past the lock, open for this library alone until then by an administrator's exception. */
      extendedUntil?: string;
    };

export const libraryWindow = (
  window: PeriodView,
  libraryId: string,
  now = new Date(),
): LibraryWindow => {
  const exception = window.exceptions.find((candidate) => candidate.libraryId === libraryId);
  const state = writableState(window, exception, now);
  if (state === 'not-open') return { state, opensAt: window.opensAt };
  if (state === 'locked') return { state };
  return {
    state,
    dueAt: window.dueAt,
    overdue: !isWithinBound(now, window.dueAt),
    ...(exception && !isWithinBound(now, window.locksAt) ? { extendedUntil: exception.until } : {}),
  };
};

/** Whether the library may write to the period now, to show it up front. */
export const libraryMayWrite = (window: PeriodView, libraryId: string, now = new Date()) =>
  libraryWindow(window, libraryId, now).state === 'open';
