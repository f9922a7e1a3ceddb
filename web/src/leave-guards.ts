/**
 * Pages that must finish something before the app shows another page, such as a form with
 * edits not yet saved. Kept apart from the router, which needs the browser, to be unit-tested.
 */

/** True to let the app leave the page; may first save, or ask the person. */
export type LeaveGuard = () => boolean | Promise<boolean>;

export const createLeaveGuards = () => {
  const guards = new Set<LeaveGuard>();
  let attempts = 0;

  /** Registers a guard; the returned function removes it. */
  const add = (guard: LeaveGuard) => {
    guards.add(guard);
    return () => {
      guards.delete(guard);
    };
  };

  /**
   * Calls `go` once every guard lets the page be left, `stay` when one refuses (or fails).
   * Without guards `go` runs at once, so ordinary navigation stays synchronous. A later
   * attempt supersedes one still waiting on its guards: only the last navigation happens.
   */
  const leave = (go: () => void, stay: () => void = () => undefined): void => {
    attempts += 1;
    if (guards.size === 0) {
      go();
      return;
    }
    const attempt = attempts;
    const pending = [...guards];
    void (async () => {
      let allowed = true;
      for (const guard of pending) {
        try {
          allowed = await guard();
        } catch {
          allowed = false;
        }
        if (!allowed) break;
      }
      if (attempt !== attempts) return;
      if (allowed) go();
      else stay();
    })();
  };

  return { add, leave };
};
