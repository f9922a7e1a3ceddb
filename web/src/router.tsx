/**
 * A small history-API router: the app's few routes need no library. A page may guard leaving
 * it (a form with unsaved edits), for links and for the browser's back and forward buttons.
 */
import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { createLeaveGuards, type LeaveGuard } from './leave-guards.js';

const listeners = new Set<() => void>();
const leaveGuards = createLeaveGuards();

const urlNow = () => `${location.pathname}${location.search}`;
/** The address of the page on screen: by the time popstate fires, location is the next one. */
let shownUrl: string | undefined;

const showCurrent = () => {
  shownUrl = urlNow();
  for (const listener of listeners) listener();
};

export const navigate = (path: string, options: { replace?: boolean } = {}) => {
  const go = () => {
    if (options.replace) history.replaceState(null, '', path);
    else history.pushState(null, '', path);
    showCurrent();
    window.scrollTo(0, 0);
  };
  // A redirect (signed out, signed in) is not the person leaving the page: it never waits.
  if (options.replace) go();
  else leaveGuards.leave(go);
};

const onPopState = () => {
  // Only the #fragment changed (a section link): still the same page.
  if (urlNow() === shownUrl) {
    showCurrent();
    return;
  }
  leaveGuards.leave(showCurrent, () => {
    // The browser already moved to the other entry; put the page's own address back.
    if (shownUrl) history.pushState(null, '', shownUrl);
  });
};

const currentLocation = () => ({ path: location.pathname, search: location.search });

export const useLocation = () => {
  const [current, setCurrent] = useState(currentLocation);
  useEffect(() => {
    const update = () => setCurrent(currentLocation());
    if (listeners.size === 0) {
      shownUrl = urlNow();
      window.addEventListener('popstate', onPopState);
    }
    listeners.add(update);
    return () => {
      listeners.delete(update);
      if (listeners.size === 0) window.removeEventListener('popstate', onPopState);
    };
  }, []);
  return current;
};

/**
 * Asks `guard` before the app shows another page, while the calling component is mounted.
 * The latest guard of each render is the one asked, so it sees the page's current state.
 */
export const useLeaveGuard = (guard: LeaveGuard) => {
  const latest = useRef(guard);
  latest.current = guard;
  useEffect(() => leaveGuards.add(() => latest.current()), []);
};

/** Matches `/a/:b/c` against a path; undefined when it does not match. */
export const matchPath = (pattern: string, path: string): Record<string, string> | undefined => {
  const patternParts = pattern.split('/').filter(Boolean);
  const pathParts = path.split('/').filter(Boolean);
  if (patternParts.length !== pathParts.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, part] of patternParts.entries()) {
    const actual = pathParts[index] ?? '';
    if (part.startsWith(':')) params[part.slice(1)] = decodeURIComponent(actual);
    else if (part !== actual) return undefined;
  }
  return params;
};

type AnchorProps = JSX.HTMLAttributes<HTMLAnchorElement> & {
  href: string;
  children: ComponentChildren;
};

export const Link = ({ href, children, ...rest }: AnchorProps) => (
  <a
    {...rest}
    href={href}
    onClick={(event) => {
      if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey)
        return;
      event.preventDefault();
      navigate(href);
    }}
  >
    {children}
  </a>
);
