import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { transformSync } from 'esbuild';
import { sourceMappedErrors, sourceMappedStack } from './source-mapped-stack.js';

/** A source whose `throw` sits on line 3, column 5 (1-based) of `functions/fixture.ts`. */
const SOURCE = [
  'export function failing(count: number) {',
  '  if (count > 1)',
  "    throw new Error('failed ' + count + ' times');",
  '  return count;',
  '}',
].join('\n');

let dir: string;
let bundlePath: string;
/** `/…/index.js:line:column` of the `throw` in the minified bundle. */
let thrownAt: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'source-mapped-stack-'));
  bundlePath = join(dir, 'index.js');
  // As esbuild names the sources of a bundle written under cdk.out/…: relative to the map.
  const { code, map } = transformSync(SOURCE, {
    loader: 'ts',
    format: 'cjs',
    minify: true,
    sourcemap: 'external',
    sourcesContent: false,
    sourcefile: '../../functions/fixture.ts',
  });
  writeFileSync(bundlePath, `${code}//# sourceMappingURL=index.js.map\n`);
  writeFileSync(`${bundlePath}.map`, map);
  const offset = code.indexOf('throw');
  const before = code.slice(0, offset).split('\n');
  thrownAt = `${bundlePath}:${before.length}:${(before.at(-1)?.length ?? 0) + 1}`;
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const stackThrownAt = (location: string) =>
  [
    'Error: failed 2 times',
    `    at f (${location})`,
    `    at ${location}`,
    `    at async ${location}`,
    `    at async g (file://${location})`,
  ].join('\n');

describe('sourceMappedStack', () => {
  it('tells a frame in a bundle with a source map as its source, from the repository root', () => {
    expect(sourceMappedStack(stackThrownAt(thrownAt))).toBe(
      [
        'Error: failed 2 times',
        '    at f (functions/fixture.ts:3:5)',
        '    at functions/fixture.ts:3:5',
        '    at async functions/fixture.ts:3:5',
        '    at async g (functions/fixture.ts:3:5)',
      ].join('\n'),
    );
  });

  it('leaves frames without a source map as they are', () => {
    const stack = [
      'Error: failed',
      `    at g (${join(dir, 'other.js')}:1:10)`,
      '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
      '    at async Promise.all (index 0)',
    ].join('\n');
    expect(sourceMappedStack(stack)).toBe(stack);
  });

  it('leaves frames as they are when the source map cannot be read', () => {
    const broken = join(dir, 'broken.js');
    writeFileSync(broken, 'throw 1');
    writeFileSync(`${broken}.map`, '{ not json');
    const stack = stackThrownAt(`${broken}:1:1`);
    expect(sourceMappedStack(stack)).toBe(stack);
  });
});

describe('sourceMappedErrors', () => {
  const withStack = (message: string, options?: ErrorOptions) => {
    const error = new Error(message, options);
    error.stack = stackThrownAt(thrownAt);
    return error;
  };

  it('maps a logged error and its causes once, so logging it again changes nothing', () => {
    const error = withStack('outer', { cause: withStack('inner') });
    expect(sourceMappedErrors('error', error)).toBe(error);
    const mapped = error.stack;
    expect(mapped).toContain('at f (functions/fixture.ts:3:5)');
    expect((error.cause as Error).stack).toContain('at f (functions/fixture.ts:3:5)');
    sourceMappedErrors('error', error);
    expect(error.stack).toBe(mapped);
  });

  it('passes other values through; survives a read-only stack, a cycle of causes and a throwing cause', () => {
    expect(sourceMappedErrors('count', 3)).toBe(3);
    const readOnly = Object.defineProperty(new Error('read-only'), 'stack', {
      value: stackThrownAt(thrownAt),
      writable: false,
    });
    expect(sourceMappedErrors('error', readOnly)).toBe(readOnly);
    expect(readOnly.stack).toContain(thrownAt);
    // Powertools would follow the cause without end; it becomes a note.
    const cyclic = withStack('cyclic', { cause: withStack('inner') });
    (cyclic.cause as Error).cause = cyclic;
    expect(sourceMappedErrors('error', cyclic)).toBe(cyclic);
    expect(cyclic.stack).toContain('functions/fixture.ts:3:5');
    expect((cyclic.cause as Error).cause).toBe('[the cause is Error "cyclic" again]');
    // A cause that cannot be read leaves the error as it is.
    const unreadable = withStack('unreadable');
    Object.defineProperty(unreadable, 'cause', {
      get: () => {
        throw new Error('no cause');
      },
    });
    expect(sourceMappedErrors('error', unreadable)).toBe(unreadable);
  });
});
