import { describe, expect, it } from '@jest/globals';
import type { PeriodView } from './api.js';
import { libraryMayWrite, libraryWindow } from './period-window.js';

const WINDOW: PeriodView = {
  formId: 'county-annual-report',
  period: '2025',
  opensAt: '2025-12-31T16:00:00.000Z',
  dueAt: '2026-01-31T15:59:59.000Z',
  locksAt: '2026-02-28T15:59:59.000Z',
  source: 'default',
  exceptions: [],
};
const UNTIL = '2026-03-15T15:59:59.000Z';
const withException = (libraryId: string): PeriodView => ({
  ...WINDOW,
  exceptions: [
    {
      libraryId,
      until: UNTIL,
      grantedBy: { subject: 'admin', role: 'admin' },
      grantedAt: '2026-03-01T00:00:00.000Z',
    },
  ],
});
const AFTER_LOCK = new Date('2026-03-05T00:00:00Z');

describe('libraryWindow', () => {
  it('follows the window without an exception', () => {
    expect(libraryWindow(WINDOW, '140725', new Date('2025-12-01T00:00:00Z'))).toEqual({
      state: 'not-open',
      opensAt: WINDOW.opensAt,
    });
    expect(libraryWindow(WINDOW, '140725', new Date('2026-01-10T00:00:00Z'))).toEqual({
      state: 'open',
      dueAt: WINDOW.dueAt,
      overdue: false,
    });
    expect(libraryWindow(WINDOW, '140725', new Date('2026-02-10T00:00:00Z'))).toEqual({
      state: 'open',
      dueAt: WINDOW.dueAt,
      overdue: true,
    });
    expect(libraryWindow(WINDOW, '140725', AFTER_LOCK)).toEqual({ state: 'locked' });
  });

  it('judges the due time to the whole second, as the server does', () => {
    expect(libraryWindow(WINDOW, '140725', new Date('2026-01-31T15:59:59.900Z'))).toMatchObject({
      overdue: false,
    });
    expect(libraryWindow(WINDOW, '140725', new Date('2026-01-31T16:00:00.000Z'))).toMatchObject({
      overdue: true,
    });
  });

  it('is open past the lock for the library with an exception, and says until when', () => {
    const window = withException('140725');
    expect(libraryWindow(window, '140725', AFTER_LOCK)).toEqual({
      state: 'open',
      dueAt: WINDOW.dueAt,
      overdue: true,
      extendedUntil: UNTIL,
    });
    expect(libraryMayWrite(window, '140725', AFTER_LOCK)).toBe(true);
    // The province sees every exception: another library's is not this one's.
    expect(libraryWindow(window, '140726', AFTER_LOCK)).toEqual({ state: 'locked' });
    expect(libraryMayWrite(window, '140726', AFTER_LOCK)).toBe(false);
    // Once the exception ends, the period is closed again.
    expect(libraryWindow(window, '140725', new Date('2026-03-16T00:00:00Z'))).toEqual({
      state: 'locked',
    });
  });
});
