/**
 * `npm run rollup -- --form county-annual-report --period 2025 [--out DIR]` runs one rollup
 * against the running local stack, through its API as the province office would, waits for it
 * and prints the counts, the files with their download links and where they are on disk.
 *
 * Exit codes: 0 published; 1 the run failed or did not finish in time; 2 wrong arguments or
 * no local stack; 3 the API refused the run (unknown form or period, …).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { RollupManifest, RollupRun } from '../domain/rollup/model.js';
import { buckets } from '../infra/resources.js';
import { loadOrCreateSigningKey, signDevToken } from './jwt.js';
import { readLocalSettings } from './settings.js';
import type { StackState } from './stack.js';

const usage =
  'usage: npm run rollup -- --form county-annual-report --period 2025 [--out DIR] [--timeout SECONDS]';

class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

const Arguments = z.object({
  form: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'a form id such as county-annual-report'),
  period: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'a period such as 2025 or 2025-H1'),
  out: z.string().min(1).optional(),
  timeout: z.coerce.number().int().min(1).max(3600).default(300),
});

const Status = z.object({
  latestRun: z.optional(RollupRun),
  published: z
    .object({
      runId: z.string(),
      prefix: z.string(),
      asOf: z.string(),
      files: z.array(
        z.object({
          name: z.string(),
          rows: z.number(),
          sha256: z.string(),
          downloadUrl: z.string(),
        }),
      ),
    })
    .optional(),
});

const Problem = z.object({ detail: z.string().optional(), status: z.number().optional() });

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const readStack = (dataDir: string): StackState => {
  const file = join(dataDir, 'stack.json');
  const notRunning = `The local stack is not running on ${dataDir}: start it with \`npm start\` (same DATA_DIR) and try again.`;
  if (!existsSync(file)) throw new CliError(notRunning, 2);
  const state = JSON.parse(readFileSync(file, 'utf8')) as StackState;
  if (typeof state.pid !== 'number' || !isAlive(state.pid)) throw new CliError(notRunning, 2);
  return state;
};

const problemText = async (response: Response) => {
  const text = await response.text();
  try {
    const problem = Problem.parse(JSON.parse(text));
    return problem.detail ?? text;
  } catch {
    return text.slice(0, 500);
  }
};

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

const main = async () => {
  const { values } = parseArgs({
    options: {
      form: { type: 'string' },
      period: { type: 'string' },
      out: { type: 'string' },
      timeout: { type: 'string' },
    },
    strict: true,
  });
  const parsed = Arguments.safeParse(values);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `--${issue.path.join('.')}: ${issue.message}`,
    );
    throw new CliError(`${problems.join('\n')}\n${usage}`, 2);
  }
  const { form, period, out, timeout } = parsed.data;
  const { DATA_DIR: dataDir } = readLocalSettings();
  const stack = readStack(dataDir);
  const token = await signDevToken(await loadOrCreateSigningKey(dataDir), {
    role: 'admin',
    ttlSeconds: timeout + 600,
  });
  const base = `${stack.apiUrl}/api/rollups/${encodeURIComponent(form)}/${encodeURIComponent(period)}`;
  const call = async (url: string, init: RequestInit = {}) => {
    try {
      return await fetch(url, {
        ...init,
        headers: { authorization: `Bearer ${token}` },
        redirect: 'manual',
      });
    } catch (cause) {
      throw new CliError(
        `The local stack at ${stack.apiUrl} does not answer (${String(cause)}); is \`npm start\` still running?`,
        2,
      );
    }
  };

  const started = await call(base, { method: 'POST' });
  if (started.status !== 202) {
    throw new CliError(
      `The rollup of ${form} ${period} was refused (${started.status}): ${await problemText(started)}`,
      started.status === 404 || started.status === 400 ? 3 : 1,
    );
  }
  let run = RollupRun.parse(await started.json());
  console.log(`Rollup ${form} ${period}: run ${run.runId} queued`);

  const deadline = Date.now() + timeout * 1000;
  let status: z.infer<typeof Status>;
  for (;;) {
    const response = await call(base);
    if (response.status !== 200) {
      throw new CliError(
        `Status request failed (${response.status}): ${await problemText(response)}`,
        1,
      );
    }
    status = Status.parse(await response.json());
    const latest = status.latestRun;
    if (latest && latest.runId !== run.runId && latest.createdAt > run.createdAt) {
      console.log(`A newer run ${latest.runId} started meanwhile; following it.`);
    }
    if (latest && latest.createdAt >= run.createdAt) run = latest;
    if (run.status === 'succeeded' || run.status === 'failed') break;
    if (Date.now() > deadline) {
      throw new CliError(
        `Run ${run.runId} is still ${run.status} after ${timeout} s; check the stack's output.`,
        1,
      );
    }
    await sleep(500);
  }

  if (run.status === 'failed') {
    throw new CliError(`Run ${run.runId} failed: ${run.error ?? 'no error recorded'}`, 1);
  }
  const published = status.published;
  if (!published || published.runId !== run.runId) {
    throw new CliError(`Run ${run.runId} succeeded but is not the published one.`, 1);
  }
  const manifestLink = await call(`${base}/files/manifest.json`);
  const manifestUrl = manifestLink.headers.get('location');
  const manifest = manifestUrl
    ? RollupManifest.parse(await (await fetch(manifestUrl)).json())
    : undefined;

  const counts = run.counts;
  console.log(`Run ${run.runId} succeeded, as of ${published.asOf}`);
  if (counts) {
    console.log(
      `  libraries ${counts.libraries}: counted ${counts.counted} (accepted ${counts.accepted}, ` +
        `submitted ${counts.submitted}), returned ${counts.returned}, draft ${counts.draft}, ` +
        `nothing yet ${counts.missing}`,
    );
  }
  if (manifest) {
    const { changes } = manifest;
    console.log(
      changes.previousRunId
        ? `  since run ${changes.previousRunId}: ${changes.newlySubmitted.length} newly counted, ${changes.changed.length} changed` +
            (changes.changed.length > 0 ? ` (${changes.changed.join(', ')})` : '')
        : `  first run of this period: ${changes.newlySubmitted.length} reports counted`,
    );
  }
  console.log('\nFiles (links valid for 5 minutes):');
  const width = Math.max(...published.files.map((file) => file.name.length));
  for (const file of published.files) {
    console.log(
      `  ${file.name.padEnd(width)}  ${String(file.rows).padStart(5)} rows  ${file.downloadUrl}`,
    );
  }
  const onDisk = join(dataDir, 's3', buckets.reports, ...published.prefix.split('/'));
  console.log(`\nOn disk (s3rver's layout: each object is <name>._S3rver_object):\n  ${onDisk}/`);

  if (out) {
    const target = resolve(out);
    await mkdir(target, { recursive: true });
    for (const file of published.files) {
      const body = Buffer.from(await (await fetch(file.downloadUrl)).arrayBuffer());
      const digest = createHash('sha256').update(body).digest('hex');
      if (digest !== file.sha256) {
        throw new CliError(`${file.name}: downloaded sha256 ${digest}, manifest ${file.sha256}`, 1);
      }
      await writeFile(join(target, file.name), body);
    }
    if (manifest) {
      await writeFile(join(target, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    }
    console.log(`Downloaded to ${target} (checksums verified).`);
  }
};

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error instanceof CliError ? error.exitCode : 1);
});
