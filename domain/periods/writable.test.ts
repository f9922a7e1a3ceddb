/**
 * Closing bounds hold for their whole second: the default due and lock times are
 * `…23:59:59+08:00`, and a write or a submission 400 ms into that second still counts.
 */
import { describe, expect, it } from '@jest/globals';
import { isWithinBound, submittedOnTime, writableState } from './writable.js';

/** Period 2025's default window (Beijing time), as the catalog fills it in (UTC). */
const WINDOW = {
  opensAt: '2025-10-31T16:00:00.000Z',
  locksAt: '2026-03-31T15:59:59.000Z',
};
const DUE_AT = '2026-01-31T15:59:59.000Z';
const at = (iso: string) => new Date(iso);

describe('isWithinBound', () => {
  it.each([
    ['the second before', '2026-01-31T15:59:58.999Z', true],
    ['the bound itself', '2026-01-31T15:59:59.000Z', true],
    ['400 ms into the bound second', '2026-01-31T15:59:59.400Z', true],
    ['the last millisecond of it', '2026-01-31T15:59:59.999Z', true],
    ['the next second', '2026-01-31T16:00:00.000Z', false],
  ])('%s: %s', (_, instant, within) => {
    expect(isWithinBound(instant, DUE_AT)).toBe(within);
    expect(isWithinBound(at(instant), '2026-01-31T23:59:59+08:00')).toBe(within);
  });
});

describe('writableState', () => {
  it('opens at opensAt', () => {
    expect(writableState(WINDOW, undefined, at('2025-10-31T15:59:59.999Z'))).toBe('not-open');
    expect(writableState(WINDOW, undefined, at(WINDOW.opensAt))).toBe('open');
  });

  it('stays open through the whole second of locksAt and locks at the next', () => {
    expect(writableState(WINDOW, undefined, at('2026-03-31T15:59:59.400Z'))).toBe('open');
    expect(writableState(WINDOW, undefined, at('2026-03-31T15:59:59.999Z'))).toBe('open');
    expect(writableState(WINDOW, undefined, at('2026-03-31T16:00:00.000Z'))).toBe('locked');
  });

  it('keeps a library with an exception open through the whole second of its `until`', () => {
    const exception = { until: '2026-04-15T15:59:59.000Z' };
    expect(writableState(WINDOW, exception, at('2026-04-10T00:00:00.000Z'))).toBe('open');
    expect(writableState(WINDOW, exception, at('2026-04-15T15:59:59.400Z'))).toBe('open');
    expect(writableState(WINDOW, exception, at('2026-04-15T16:00:00.000Z'))).toBe('locked');
    // An exception that ended before the lock changes nothing.
    expect(
      writableState(WINDOW, { until: '2026-01-01T00:00:00.000Z' }, at('2026-03-31T15:59:59.500Z')),
    ).toBe('open');
  });
});

describe('submittedOnTime', () => {
  it('judges by the first submission, not the latest', () => {
    expect(
      submittedOnTime(
        { firstSubmittedAt: '2026-01-20T03:00:00.000Z', submittedAt: '2026-02-05T02:00:00.000Z' },
        DUE_AT,
      ),
    ).toBe(true);
    expect(
      submittedOnTime(
        { firstSubmittedAt: '2026-02-01T00:00:00.000Z', submittedAt: '2026-02-05T02:00:00.000Z' },
        DUE_AT,
      ),
    ).toBe(false);
  });

  it('falls back to submittedAt for heads written before firstSubmittedAt existed', () => {
    expect(submittedOnTime({ submittedAt: '2026-01-31T15:59:59.400Z' }, DUE_AT)).toBe(true);
    expect(submittedOnTime({ submittedAt: '2026-01-31T16:00:00.000Z' }, DUE_AT)).toBe(false);
  });

  it('is undefined for a report never submitted', () => {
    expect(submittedOnTime({}, DUE_AT)).toBeUndefined();
  });
});
