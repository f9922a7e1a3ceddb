#!/usr/bin/env node
/**
 * Keeps package-lock.json usable by `npm ci` on every platform.
 *
 * The registry mirror of our build machines answers 404 for other platforms' optional binaries
 * (@biomejs/cli-darwin-arm64, @esbuild/win32-x64, …). `npm install` then leaves them out of
 * the lockfile, and `npm ci` refuses the lockfile as out of sync, here and everywhere else.
 * This script adds the missing optional entries (name and exact version, marked optional), so
 * npm ci installs this platform's binary and skips the others.
 *
 *   node scripts/complete-lockfile.mjs          add missing entries (run after `npm install`)
 *   node scripts/complete-lockfile.mjs --check  exit 1 when entries are missing
 */
import { readFileSync, writeFileSync } from 'node:fs';

const LOCKFILE = new URL('../package-lock.json', import.meta.url);
const EXACT_VERSION = /^\d+\.\d+\.\d+(-[\w.]+)?$/;

const lock = JSON.parse(readFileSync(LOCKFILE, 'utf8'));
const packages = lock.packages;
const missing = [];

for (const [path, entry] of Object.entries(packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    if (!EXACT_VERSION.test(version)) continue;
    const hoisted = `node_modules/${name}`;
    const nested = `${path ? `${path}/` : ''}node_modules/${name}`;
    if (packages[nested] || packages[hoisted]?.version === version) continue;
    const target = packages[hoisted] ? nested : hoisted;
    missing.push(target);
    packages[target] = {
      version,
      ...(entry.dev ? { dev: true } : {}),
      optional: true,
    };
  }
}

if (process.argv.includes('--check')) {
  if (missing.length > 0) {
    console.error(
      `package-lock.json lacks ${missing.length} optional platform entries (${missing.slice(0, 3).join(', ')}…);\n` +
        'run `node scripts/complete-lockfile.mjs` after `npm install`.',
    );
    process.exit(1);
  }
} else if (missing.length > 0) {
  const sorted = Object.fromEntries(
    Object.entries(packages).sort(([a], [b]) =>
      a === '' ? -1 : b === '' ? 1 : a.localeCompare(b),
    ),
  );
  writeFileSync(LOCKFILE, `${JSON.stringify({ ...lock, packages: sorted }, null, 2)}\n`);
  console.log(`package-lock.json: added ${missing.length} optional platform entries`);
}
