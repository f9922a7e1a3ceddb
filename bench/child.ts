/**
 * Runs one benchmark script in a fresh `node` (with the tsx loader, from the repository root),
 * so that what it measures (its peak RSS, the modules and clients it loads) is its own. The
 * script prints one JSON object as its last line of stdout; that object is the result. What it
 * writes to stderr (progress) is passed on as it comes, and its end is repeated on failure.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export const runBenchChild = <Result>(
  script: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<Result> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const command = [script, ...args].join(' ');
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk: string) => {
      process.stderr.write(chunk);
      stderr = (stderr + chunk).slice(-4_000);
    });
    child.once('error', reject);
    // 'close', not 'exit': only then has all of stdout, with the result line, been read.
    child.once('close', (code, signal) => {
      const last = stdout.trim().split('\n').at(-1) ?? '';
      const failed = (why: string) =>
        reject(new Error(`bench child ${command} ${why}:\n${stderr}${stdout.slice(-4_000)}`));
      if (code !== 0) {
        failed(signal ? `was killed by ${signal}` : `exited with ${code}`);
        return;
      }
      try {
        resolve(JSON.parse(last) as Result);
      } catch {
        failed('printed no JSON result line');
      }
    });
  });
