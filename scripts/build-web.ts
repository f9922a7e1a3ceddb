/**
 * Builds the web app into web/dist: esbuild bundles web/src/main.tsx (Preact, code-split so
 * the province dashboard and its chart library load only on that page) into content-hashed
 * files under assets/, and index.html is written from the template with their names. Prints
 * what the form page costs over the wire, gzipped.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';

const WEB_DIR = fileURLToPath(new URL('../web/', import.meta.url));
export const WEB_DIST = join(WEB_DIR, 'dist');
const ASSETS_PLACEHOLDER = '<!-- assets -->';

export interface WebBuild {
  outDir: string;
  /** Files the form page loads before it can render (entry, its static chunks, CSS), gzipped. */
  formPageKBGzip: number;
  files: { path: string; bytes: number; gzipBytes: number }[];
}

/** Output files reachable from an entry through static imports only (what loads up front). */
const staticClosure = (metafile: Metafile, entry: string): string[] => {
  const seen = new Set<string>();
  const visit = (path: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    const output = metafile.outputs[path];
    for (const imported of output?.imports ?? []) {
      if (imported.kind === 'import-statement') visit(imported.path);
    }
    if (output?.cssBundle) visit(output.cssBundle);
  };
  visit(entry);
  return [...seen];
};

export const buildWeb = async (outDir = WEB_DIST): Promise<WebBuild> => {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const result = await build({
    entryPoints: [join(WEB_DIR, 'src', 'main.tsx')],
    outdir: join(outDir, 'assets'),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022', 'chrome100', 'safari15'],
    minify: true,
    sourcemap: 'linked',
    entryNames: '[name]-[hash]',
    chunkNames: 'chunk-[hash]',
    assetNames: '[name]-[hash]',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    metafile: true,
    legalComments: 'linked',
    logLevel: 'warning',
  });
  const { metafile } = result;
  const entry = Object.entries(metafile.outputs).find(([, output]) => output.entryPoint);
  if (!entry) throw new Error('esbuild produced no entry point for web/src/main.tsx');
  const [entryPath, entryOutput] = entry;
  const href = (path: string) => `/${relative(outDir, path).split('\\').join('/')}`;
  const tags = [
    ...(entryOutput.cssBundle
      ? [`<link rel="stylesheet" href="${href(entryOutput.cssBundle)}" />`]
      : []),
    `<script type="module" src="${href(entryPath)}"></script>`,
  ].join('\n    ');
  const template = await readFile(join(WEB_DIR, 'index.html'), 'utf8');
  if (!template.includes(ASSETS_PLACEHOLDER)) {
    throw new Error(`web/index.html lacks the ${ASSETS_PLACEHOLDER} placeholder`);
  }
  await writeFile(join(outDir, 'index.html'), template.replace(ASSETS_PLACEHOLDER, tags));

  const sizes = async (path: string) => {
    const content = await readFile(path);
    return {
      path,
      bytes: content.byteLength,
      gzipBytes: gzipSync(content, { level: 9 }).byteLength,
    };
  };
  const files = await Promise.all(
    Object.keys(metafile.outputs)
      .filter((path) => !path.endsWith('.map') && !path.endsWith('.LEGAL.txt'))
      .map(sizes),
  );
  const formPage = staticClosure(metafile, entryPath);
  const formPageBytes = files
    .filter((file) => formPage.includes(file.path))
    .reduce((total, file) => total + file.gzipBytes, 0);
  return {
    outDir,
    formPageKBGzip: Math.round((formPageBytes / 1024) * 10) / 10,
    files: files.map((file) => ({ ...file, path: relative(outDir, file.path) })),
  };
};

if (process.argv[1] && basename(process.argv[1]) === 'build-web.ts') {
  const built = await buildWeb();
  for (const file of built.files) {
    console.log(
      `${file.path.padEnd(36)} ${(file.bytes / 1024).toFixed(1).padStart(7)} KB  ${(file.gzipBytes / 1024).toFixed(1).padStart(6)} KB gzipped`,
    );
  }
  console.log(`form page (JS + CSS loaded up front): ${built.formPageKBGzip} KB gzipped`);
}
