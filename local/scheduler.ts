/**
 * The local stand-in for EventBridge Scheduler's nightly rollup: at ROLLUP_AT Beijing time
 * (default 02:00, `off` disables) it invokes the worker with `{"scheduled": true}`, the payload
 * the deployed schedule sends.
 */

export interface TimeOfDay {
  hour: number;
  minute: number;
}

export const DEFAULT_ROLLUP_AT = '02:00';
/** China has one time zone and no daylight saving time: Beijing time is always UTC+8. */
const BEIJING_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 24 * 3_600_000;

const TIME_OF_DAY = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** `HH:MM` (Beijing time) or `off`; anything else names the variable and what it expects. */
export const parseRollupAt = (value: string | undefined): TimeOfDay | 'off' => {
  const text = (value ?? DEFAULT_ROLLUP_AT).trim() || DEFAULT_ROLLUP_AT;
  if (text.toLowerCase() === 'off') return 'off';
  const match = TIME_OF_DAY.exec(text);
  if (!match) {
    throw new Error(`ROLLUP_AT must be HH:MM (Beijing time, e.g. 02:00) or off, got "${text}"`);
  }
  return { hour: Number(match[1]), minute: Number(match[2]) };
};

/** The first instant strictly after `now` whose Beijing wall-clock time is `at`. */
export const nextRunAt = (now: Date, at: TimeOfDay): Date => {
  const beijing = new Date(now.getTime() + BEIJING_OFFSET_MS);
  let candidate =
    Date.UTC(
      beijing.getUTCFullYear(),
      beijing.getUTCMonth(),
      beijing.getUTCDate(),
      at.hour,
      at.minute,
    ) - BEIJING_OFFSET_MS;
  if (candidate <= now.getTime()) candidate += DAY_MS;
  return new Date(candidate);
};

export const formatBeijingTime = (instant: Date): string =>
  `${new Date(instant.getTime() + BEIJING_OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ')} (Beijing time)`;

export interface NightlyScheduler {
  /** When the next run is due, while the scheduler runs. */
  next(): Date | undefined;
  stop(): void;
}

export const startNightlyScheduler = (options: {
  at: TimeOfDay;
  run: () => void | Promise<void>;
  log?: (line: string) => void;
  now?: () => Date;
}): NightlyScheduler => {
  const now = options.now ?? (() => new Date());
  const log = options.log ?? (() => undefined);
  let timer: NodeJS.Timeout | undefined;
  let due: Date | undefined;

  const arm = (after: Date) => {
    due = nextRunAt(after, options.at);
    const scheduled = due;
    timer = setTimeout(
      () => {
        log(`nightly rollup: starting (due ${formatBeijingTime(scheduled)})`);
        Promise.resolve()
          .then(options.run)
          .catch((error: unknown) => log(`nightly rollup: could not start: ${String(error)}`));
        // From the due time, not from now: a timer that fires a little early runs once, not twice.
        arm(new Date(Math.max(now().getTime(), scheduled.getTime())));
      },
      Math.max(0, due.getTime() - now().getTime()),
    );
    // The scheduler alone never keeps the process alive.
    timer.unref();
  };
  arm(now());

  return {
    next: () => due,
    stop: () => {
      clearTimeout(timer);
      timer = undefined;
      due = undefined;
    },
  };
};
