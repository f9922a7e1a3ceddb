import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { build } from 'esbuild';

const engine = ['catalog.ts', 'compile.ts', 'ui-model.ts', 'money.ts', 'periods.ts'].map((file) =>
  fileURLToPath(new URL(file, import.meta.url)),
);

describe('the forms engine in the browser', () => {
  it('bundles for the browser without Node built-ins', async () => {
    const result = await build({
      entryPoints: engine,
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      outdir: 'out',
      logLevel: 'silent',
    });
    expect(result.errors).toEqual([]);
    expect(result.outputFiles.map((file) => file.text).join('\n')).not.toMatch(/from ["']node:/);
  });
});
