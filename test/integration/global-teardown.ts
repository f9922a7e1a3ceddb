import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';

/**
 * Stops the stack global-setup.ts started (SIGTERM, as Ctrl-C would) and drops its data. Fails
 * the run if a function made an AWS call its deployed role would refuse (local/iam-guard.ts),
 * even one whose error the code swallowed.
 */
export default async function globalTeardown(): Promise<void> {
  const stack = (
    globalThis as {
      localStack?: { child: ChildProcess; dataDir: string; output: () => string };
    }
  ).localStack;
  if (!stack) return;
  if (stack.child.exitCode === null) {
    const exited = new Promise((resolve) => stack.child.once('exit', resolve));
    stack.child.kill('SIGTERM');
    await exited;
  }
  rmSync(stack.dataDir, { recursive: true, force: true });
  const refusals = stack
    .output()
    .split('\n')
    .filter((line) => line.startsWith('local IAM: '));
  if (refusals.length > 0) {
    throw new Error(`AWS calls the functions' roles would refuse:\n${refusals.join('\n')}`);
  }
}
