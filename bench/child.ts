/**
 * Runs one benchmark script in a fresh `node` (with the tsx loader, from the repository root),
 * so that what it measures (its peak RSS, the modules and clients it loads) is its own. The
 * script prints one JSON object as its last line of stdout; that object is the result.
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
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4_000);
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      const last = stdout.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !last.startsWith('{')) {
        reject(
          new Error(
            `bench child ${[script, ...args].join(' ')} exited with ${code}:\n${stderr}${stdout}`,
          ),
        );
        return;
      }
      resolve(JSON.parse(last) as Result);
    });
  });
