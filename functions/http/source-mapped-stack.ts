/**
 * Stacks of logged errors told in the original sources. Each function ships as a minified bundle
 * with its source map beside it (`index.js.map`). Node's `--enable-source-maps` would read and
 * parse that map at every cold start, whether or not an error is ever logged (18–86 ms, median
 * 50 ms, for these bundles: docs/performance.md); here a map is read when the first logged error
 * needs it and kept for the life of the execution environment.
 */
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

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
 * The end of a V8 stack frame that points into a JavaScript file by absolute path or file URL:
 * `at name (/var/task/index.js:1:2345)`, `at /var/task/index.js:1:2345`, `at async
 * /var/task/index.js:1:2345` (an anonymous async function) or `at name (file:///…/index.mjs:…)`.
 */
const FRAME_IN_FILE =
  /^(\s+at (?:async )?(?:.*\()?)((?:file:\/\/)?\/[^\s():]+\.[cm]?js):(\d+):(\d+)(\)?)$/;

/**
 * A map's source from the repository root: `functions/x.ts`, not `../../functions/x.ts`. That
 * holds for bundles two levels below it, as CDK writes them (cdk.out/bundling-temp-…); built
 * elsewhere, the path keeps what is left of the way there.
 */
const fromRepositoryRoot = (source: string) => source.replace(/^(?:\.\.\/)+/, '');

const sourceMappedFrame = (frame: string): string => {
  const [, before, location, line, column, after] = FRAME_IN_FILE.exec(frame) ?? [];
  if (location === undefined) return frame;
  const bundlePath = location.startsWith('file:') ? fileURLToPath(location) : location;
  const origin = sourceMapOf(bundlePath)?.findOrigin(Number(line), Number(column));
  if (!origin || !('fileName' in origin)) return frame;
  const { fileName, lineNumber, columnNumber } = origin;
  return `${before}${fromRepositoryRoot(fileName)}:${lineNumber}:${columnNumber}${after}`;
};

/** A V8 stack with each frame in a bundle that has a source map told as its original source. */
export const sourceMappedStack = (stack: string): string =>
  stack.split('\n').map(sourceMappedFrame).join('\n');

/**
 * A JSON replacer for the logger (Powertools' `jsonReplacerFn`, called for every value of every
 * line, and before an error is formatted): the stacks of a logged error and of its causes become
 * source-mapped. The error's own `stack` is replaced, so logging it again maps nothing twice. A
 * cause that comes round again is replaced by a note, as Powertools follows causes without end.
 */
export const sourceMappedErrors = (_key: string, value: unknown): unknown => {
  if (!(value instanceof Error)) return value;
  const seen = new Set<Error>();
  try {
    for (let error: unknown = value; error instanceof Error; error = error.cause) {
      seen.add(error);
      try {
        if (typeof error.stack === 'string') error.stack = sourceMappedStack(error.stack);
      } catch {
        // A stack that cannot be written stays the bundle's; its causes are still mapped.
      }
      if (error.cause instanceof Error && seen.has(error.cause)) {
        error.cause = `[the cause is ${error.cause.name} "${error.cause.message}" again]`;
      }
    }
  } catch {
    // A cause that cannot be read or replaced: the error is logged as it is.
  }
  return value;
};
