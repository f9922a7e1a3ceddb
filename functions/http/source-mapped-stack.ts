/**
 * Stacks of logged errors told in the original sources. Each function ships as a minified bundle
 * with its source map beside it (`index.js.map`). Node's `--enable-source-maps` would read and
 * parse that map at every cold start, whether or not an error is ever logged (30–50 ms for
 * these bundles, docs/performance.md); here a map is read when the first logged error needs it
 * and kept for the life of the execution environment.
 */
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';

/** Per bundle path: its source map, or null when it has none (or none that can be read). */
const sourceMaps = new Map<string, SourceMap | null>();

const sourceMapOf = (bundlePath: string): SourceMap | null => {
  let sourceMap = sourceMaps.get(bundlePath);
  if (sourceMap === undefined) {
    try {
      sourceMap = new SourceMap(JSON.parse(readFileSync(`${bundlePath}.map`, 'utf8')));
    } catch {
      sourceMap = null;
    }
    sourceMaps.set(bundlePath, sourceMap);
  }
  return sourceMap;
};

/**
 * The end of a V8 stack frame that points into a JavaScript file by absolute path:
 * `at name (/var/task/index.js:1:2345)` or `at /var/task/index.js:1:2345`.
 */
const FRAME_IN_FILE = /^(\s+at (?:.*\()?)(\/[^\s():]+\.[cm]?js):(\d+):(\d+)(\)?)$/;

/** A map's source from the repository root: `functions/x.ts`, not `../../functions/x.ts`. */
const fromRepositoryRoot = (source: string) => source.replace(/^(?:\.\.\/)+/, '');

const sourceMappedFrame = (frame: string): string => {
  const [, before, bundlePath, line, column, after] = FRAME_IN_FILE.exec(frame) ?? [];
  if (bundlePath === undefined) return frame;
  const origin = sourceMapOf(bundlePath)?.findOrigin(Number(line), Number(column));
  if (!origin || !('fileName' in origin)) return frame;
  const { fileName, lineNumber, columnNumber } = origin;
  return `${before}${fromRepositoryRoot(fileName)}:${lineNumber}:${columnNumber}${after}`;
};

/** A V8 stack with each frame in a bundle that has a source map told as its original source. */
export const sourceMappedStack = (stack: string): string =>
  stack.split('\n').map(sourceMappedFrame).join('\n');

/**
 * A JSON replacer for the logger (Powertools' `jsonReplacerFn`, which sees an error before it is
 * formatted): the stacks of a logged error and of its causes become source-mapped. The error's
 * own `stack` is replaced, so logging it again maps nothing twice.
 */
export const sourceMappedErrors = (_key: string, value: unknown): unknown => {
  const seen = new Set<unknown>();
  for (let error = value; error instanceof Error && !seen.has(error); error = error.cause) {
    seen.add(error);
    if (typeof error.stack !== 'string') continue;
    try {
      error.stack = sourceMappedStack(error.stack);
    } catch {
      // An error whose stack cannot be written keeps its bundle's; logging it must not fail.
    }
  }
  return value;
};
