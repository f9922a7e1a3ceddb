/**
 * Jest global setup: starts one local stack (DynamoDB Local, s3rver, the HTTP server, all on free
 * ports, in a fresh data directory) for the whole integration run, as a real `local/start.ts`
 * child process. Jest loads this file outside its module mapper, so it imports no project
 * modules at runtime; the helpers are exported for tests that start stacks of their own.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StackState } from '../../local/stack.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface StackProcess {
  child: ChildProcess;
  state: StackState;
  output: () => string;
}

const spawnLocalScript = (script: string, env: NodeJS.ProcessEnv, args: string[] = []) =>
  spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, script), ...args], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });

/** Runs a script of the repository to its end, with what it printed on each stream. */
export const runToExit = (script: string, env: NodeJS.ProcessEnv, args: string[] = []) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawnLocalScript(script, env, args);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('error', reject);
    // 'close', not 'exit': only then have both streams been read to their end.
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });

export const startStackProcess = async (
  dataDir: string,
  extraEnv: NodeJS.ProcessEnv = {},
  timeoutMs = 90_000,
): Promise<StackProcess> => {
  const child = spawnLocalScript('local/start.ts', {
    ...process.env,
    PORT: '0',
    DATA_DIR: dataDir,
    DEMO: '0',
    ...extraEnv,
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const stateFile = join(dataDir, 'stack.json');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`local stack exited with ${child.exitCode}:\n${output}`);
    }
    if (existsSync(stateFile) && output.includes('local stack ready')) {
      const state = JSON.parse(readFileSync(stateFile, 'utf8')) as StackState;
      return { child, state, output: () => output };
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  child.kill('SIGKILL');
  throw new Error(`local stack not ready within ${timeoutMs / 1000} s:\n${output}`);
};

/** Sends SIGTERM (what Ctrl-C amounts to) and waits for a clean exit. */
export const stopStackProcess = (child: ChildProcess, timeoutMs = 30_000): Promise<number | null> =>
  new Promise((resolve, reject) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('local stack did not stop on SIGTERM'));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    child.kill('SIGTERM');
  });

/** The annual period most integration tests write to (each names it as its PERIOD). */
const OPEN_PERIOD = '2026';
const DAY_MS = 24 * 60 * 60 * 1000;

/** One administrator's token for the stack whose keys are under `dataDir` (npm run dev:token). */
const adminToken = async (dataDir: string): Promise<string> => {
  const { code, stdout, stderr } = await runToExit(
    'local/dev-token.ts',
    { ...process.env, DATA_DIR: dataDir },
    ['--role', 'admin'],
  );
  if (code !== 0) throw new Error(`dev:token exited ${code}: ${stdout}${stderr}`);
  return stdout.trim();
};

/**
 * Opens OPEN_PERIOD around now, as an administrator would: its default window (forms/periods.yaml)
 * is open only from November to March, and the suite must pass on any day of the year.
 */
const openTestPeriod = async (apiUrl: string, dataDir: string): Promise<void> => {
  const now = Date.now();
  const response = await fetch(`${apiUrl}/api/periods/county-annual-report/${OPEN_PERIOD}`, {
    method: 'PUT',
    headers: {
      authorization: `Bearer ${await adminToken(dataDir)}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({
      opensAt: new Date(now - 30 * DAY_MS).toISOString(),
      dueAt: new Date(now + 30 * DAY_MS).toISOString(),
      locksAt: new Date(now + 60 * DAY_MS).toISOString(),
    }),
  });
  if (response.status !== 200) {
    throw new Error(`opening period ${OPEN_PERIOD}: ${response.status} ${await response.text()}`);
  }
};

export default async function globalSetup(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'clr-integration-'));
  // No nightly rollup in the middle of a test run: tests start the runs they check.
  const stack = await startStackProcess(dataDir, { ROLLUP_AT: 'off' });
  try {
    await openTestPeriod(stack.state.apiUrl, dataDir);
  } catch (error) {
    await stopStackProcess(stack.child);
    throw error;
  }
  (globalThis as { localStack?: unknown }).localStack = {
    child: stack.child,
    dataDir,
    output: stack.output,
  };
  // Workers are forked after global setup and inherit these.
  process.env.LOCAL_STACK_DATA_DIR = dataDir;
  process.env.LOCAL_STACK_URL = stack.state.apiUrl;
  process.env.LOCAL_STACK_DYNAMODB = stack.state.dynamoDbEndpoint;
  process.env.LOCAL_STACK_S3 = stack.state.s3Endpoint;
  process.env.LOCAL_STACK_TABLE = stack.state.tableName;
}
