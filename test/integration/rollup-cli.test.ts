/**
 * `npm run rollup` (local/rollup-cli.ts) as a child process against the shared stack: its exit
 * codes and the files `--out` writes. Period 2041, which no other test file uses (rollups of a
 * period count every report of it), with one report submitted by 141126 (石楼县, 吕梁市).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { wuxiangReport2025 } from '../../domain/forms/fixtures.js';
import { runToExit } from './global-setup.js';
import { api, sendJson, stack, tokenFor } from './support.js';

const FORM = 'county-annual-report';
const PERIOD = '2041';
const LIBRARY = '141126';
const DAY = 24 * 60 * 60 * 1000;

interface Manifest {
  runId: string;
  formId: string;
  period: string;
  counts: Record<string, number>;
  files: { name: string; rows: number; bytes: number; sha256: string }[];
}

const outDirs: string[] = [];
afterAll(() => {
  for (const dir of outDirs) rmSync(dir, { recursive: true, force: true });
});

/** Runs the CLI with the shared stack's DATA_DIR, as `npm run rollup -- …` would. */
const rollup = (args: string[]) =>
  runToExit('local/rollup-cli.ts', { ...process.env, DATA_DIR: stack.dataDir }, args);

const sha256 = (body: Buffer) => createHash('sha256').update(body).digest('hex');

beforeAll(async () => {
  // Open the period around now, then submit one report in it.
  const now = Date.now();
  const window = await sendJson(`/api/periods/${FORM}/${PERIOD}`, 'PUT', await tokenFor('admin'), {
    opensAt: new Date(now - DAY).toISOString(),
    dueAt: new Date(now + 30 * DAY).toISOString(),
    locksAt: new Date(now + 60 * DAY).toISOString(),
  });
  expect(window.status).toBe(200);
  const token = await tokenFor('library', LIBRARY);
  const report = `/api/libraries/${LIBRARY}/submissions/${FORM}/${PERIOD}`;
  const saved = await sendJson(report, 'PUT', token, {
    values: wuxiangReport2025(),
    expectedRevision: 0,
  });
  expect(saved.status).toBe(201);
  const submitted = await sendJson(`${report}/submit`, 'POST', token, { expectedRevision: 1 });
  expect(submitted.status).toBe(200);
});

describe('npm run rollup', () => {
  it('publishes a run (exit 0) and --out writes the files the manifest describes', async () => {
    const out = mkdtempSync(join(tmpdir(), 'clr-rollup-cli-'));
    outDirs.push(out);
    const result = await rollup(['--form', FORM, '--period', PERIOD, '--out', out]);
    expect(result.stderr).not.toMatch(/refused|failed|not running/);
    expect(result.code).toBe(0);

    // The published manifest, read through the API rather than from the CLI's copy.
    const link = await api(`/api/rollups/${FORM}/${PERIOD}/files/manifest.json`, {
      token: await tokenFor('province'),
      redirect: 'manual',
    });
    expect(link.status).toBe(302);
    const manifest = (await (await fetch(link.headers.get('location') ?? '')).json()) as Manifest;
    expect(manifest).toMatchObject({ formId: FORM, period: PERIOD });
    expect(manifest.counts).toMatchObject({ counted: 1, submitted: 1, accepted: 0 });
    expect(result.stdout).toContain(`Run ${manifest.runId} succeeded`);

    const names = manifest.files.map((file) => file.name);
    expect(names).toHaveLength(10);
    expect(readdirSync(out).sort()).toEqual([...names, 'manifest.json'].sort());
    for (const file of manifest.files) {
      const body = readFileSync(join(out, file.name));
      expect({ name: file.name, bytes: body.length, sha256: sha256(body) }).toEqual({
        name: file.name,
        bytes: file.bytes,
        sha256: file.sha256,
      });
    }
    const copy = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Manifest;
    expect(copy.runId).toBe(manifest.runId);
    expect(copy.files).toEqual(manifest.files);

    // The directory it prints is where s3rver keeps the run's objects.
    const onDisk = result.stdout.match(/^ {2}(\/\S+)\/$/m)?.[1] ?? '';
    expect(onDisk).toContain(join(stack.dataDir, 's3', 'reports'));
    expect(onDisk).toContain(manifest.runId);
    expect(existsSync(join(onDisk, 'comparison.csv._S3rver_object'))).toBe(true);
  });

  it('exits 3 when the API refuses the run: an unknown form or a malformed period', async () => {
    const unknownForm = await rollup(['--form', 'no-such-form', '--period', PERIOD]);
    expect(unknownForm.code).toBe(3);
    expect(unknownForm.stderr).toContain('(404)');
    const badPeriod = await rollup(['--form', FORM, '--period', `${PERIOD}-H1`]);
    expect(badPeriod.code).toBe(3);
    expect(badPeriod.stderr).toContain('(400)');
  });

  it('exits 2 naming a missing required argument', async () => {
    const result = await rollup(['--form', FORM]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--period');
    expect(result.stderr).toContain('usage:');
    expect(result.stdout).toBe('');
  });
});
