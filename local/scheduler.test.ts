import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { formatBeijingTime, nextRunAt, parseRollupAt, startNightlyScheduler } from './scheduler.js';

const TWO_AM = { hour: 2, minute: 0 };

describe('parseRollupAt', () => {
  it('defaults to 02:00', () => {
    expect(parseRollupAt(undefined)).toEqual(TWO_AM);
    expect(parseRollupAt('')).toEqual(TWO_AM);
  });

  it('reads HH:MM and off', () => {
    expect(parseRollupAt('23:45')).toEqual({ hour: 23, minute: 45 });
    expect(parseRollupAt('00:00')).toEqual({ hour: 0, minute: 0 });
    expect(parseRollupAt('off')).toBe('off');
    expect(parseRollupAt('OFF')).toBe('off');
  });

  it.each(['2:00', '24:00', '12:60', 'two', '02:00:00', 'never'])('refuses %s', (value) => {
    expect(() => parseRollupAt(value)).toThrow(/ROLLUP_AT must be HH:MM/);
  });
});

describe('nextRunAt (Beijing time is UTC+8 all year)', () => {
  it.each([
    // [now (UTC), at, next (UTC)]
    ['2026-11-22T08:46:00.000Z', TWO_AM, '2026-11-22T18:00:00.000Z'], // 16:46 Beijing → 02:00 tomorrow
    ['2026-11-22T17:59:59.999Z', TWO_AM, '2026-11-22T18:00:00.000Z'], // 01:59:59.999 Beijing
    ['2026-11-22T18:00:00.000Z', TWO_AM, '2026-11-23T18:00:00.000Z'], // exactly 02:00: the next night
    ['2026-11-22T18:00:00.001Z', TWO_AM, '2026-11-23T18:00:00.000Z'],
    ['2026-11-22T15:30:00.000Z', TWO_AM, '2026-11-22T18:00:00.000Z'], // 23:30 Beijing, same UTC date
    ['2026-11-22T16:30:00.000Z', TWO_AM, '2026-11-22T18:00:00.000Z'], // 00:30 Beijing, next Beijing date
    ['2026-12-31T20:00:00.000Z', { hour: 3, minute: 30 }, '2027-01-01T19:30:00.000Z'], // year end
    ['2027-02-28T19:00:00.000Z', { hour: 0, minute: 15 }, '2027-03-01T16:15:00.000Z'], // month end
    ['2028-02-28T17:00:00.000Z', { hour: 1, minute: 0 }, '2028-02-29T17:00:00.000Z'], // exactly 01:00 on leap day
    ['2026-07-01T00:00:00.000Z', { hour: 8, minute: 0 }, '2026-07-02T00:00:00.000Z'], // 08:00 exactly
  ])('from %s at %j is %s', (now, at, next) => {
    expect(nextRunAt(new Date(now), at).toISOString()).toBe(next);
  });

  it('is always in the future, within a day, at the requested Beijing wall-clock time', () => {
    const at = { hour: 2, minute: 30 };
    for (let offset = 0; offset < 48 * 60; offset += 7) {
      const now = new Date(Date.UTC(2026, 10, 22, 0, offset, 13));
      const next = nextRunAt(now, at);
      expect(next.getTime()).toBeGreaterThan(now.getTime());
      expect(next.getTime() - now.getTime()).toBeLessThanOrEqual(24 * 3_600_000);
      expect(formatBeijingTime(next)).toMatch(/ 02:30 \(Beijing time\)$/);
    }
  });
});

describe('startNightlyScheduler', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('runs at the time, then every night, and not after stop', async () => {
    jest.useFakeTimers({ now: new Date('2026-11-22T17:00:00.000Z') }); // 01:00 Beijing
    const runs: string[] = [];
    const scheduler = startNightlyScheduler({
      at: TWO_AM,
      run: () => {
        runs.push(new Date().toISOString());
      },
    });
    expect(scheduler.next()?.toISOString()).toBe('2026-11-22T18:00:00.000Z');
    await jest.advanceTimersByTimeAsync(59 * 60_000);
    expect(runs).toEqual([]);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(runs).toEqual(['2026-11-22T18:00:00.000Z']);
    expect(scheduler.next()?.toISOString()).toBe('2026-11-23T18:00:00.000Z');
    await jest.advanceTimersByTimeAsync(24 * 3_600_000);
    expect(runs).toEqual(['2026-11-22T18:00:00.000Z', '2026-11-23T18:00:00.000Z']);
    scheduler.stop();
    expect(scheduler.next()).toBeUndefined();
    await jest.advanceTimersByTimeAsync(3 * 24 * 3_600_000);
    expect(runs).toHaveLength(2);
  });

  it('keeps going when a run fails to start, and reports it', async () => {
    jest.useFakeTimers({ now: new Date('2026-11-22T17:59:00.000Z') });
    const lines: string[] = [];
    let calls = 0;
    const scheduler = startNightlyScheduler({
      at: TWO_AM,
      run: async () => {
        calls += 1;
        throw new Error('worker missing');
      },
      log: (line) => lines.push(line),
    });
    await jest.advanceTimersByTimeAsync(24 * 3_600_000 + 60_000);
    scheduler.stop();
    expect(calls).toBe(2);
    expect(
      lines.filter((line) => line.includes('could not start: Error: worker missing')),
    ).toHaveLength(2);
  });
});
