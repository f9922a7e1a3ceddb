import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';

/** Stops the stack global-setup.ts started (SIGTERM, as Ctrl-C would) and drops its data. */
export default async function globalTeardown(): Promise<void> {
  const stack = (globalThis as { localStack?: { child: ChildProcess; dataDir: string } })
    .localStack;
  if (!stack) return;
  if (stack.child.exitCode === null) {
    const exited = new Promise((resolve) => stack.child.once('exit', resolve));
    stack.child.kill('SIGTERM');
    await exited;
  }
  rmSync(stack.dataDir, { recursive: true, force: true });
}
