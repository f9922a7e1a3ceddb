import { describe, expect, it } from '@jest/globals';
import { createLeaveGuards } from './leave-guards.js';

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('leaving a page', () => {
  it('happens at once when no page guards it', () => {
    const guards = createLeaveGuards();
    const steps: string[] = [];
    guards.leave(() => steps.push('go'));
    expect(steps).toEqual(['go']);
  });

  it('waits for a guard that saves first, then leaves', async () => {
    const guards = createLeaveGuards();
    const steps: string[] = [];
    let finishSave: (saved: boolean) => void = () => undefined;
    guards.add(
      () =>
        new Promise<boolean>((resolve) => {
          steps.push('saving');
          finishSave = resolve;
        }),
    );
    guards.leave(() => steps.push('go'));
    await settle();
    expect(steps).toEqual(['saving']);
    finishSave(true);
    await settle();
    expect(steps).toEqual(['saving', 'go']);
  });

  it('stays when a guard refuses or fails', async () => {
    const guards = createLeaveGuards();
    const steps: string[] = [];
    const remove = guards.add(() => false);
    guards.leave(
      () => steps.push('go'),
      () => steps.push('stay'),
    );
    await settle();
    remove();
    guards.add(() => {
      throw new Error('broken guard');
    });
    guards.leave(
      () => steps.push('go'),
      () => steps.push('stay'),
    );
    await settle();
    expect(steps).toEqual(['stay', 'stay']);
  });

  it('no longer asks a guard once it is removed', () => {
    const guards = createLeaveGuards();
    const steps: string[] = [];
    const remove = guards.add(() => false);
    remove();
    guards.leave(() => steps.push('go'));
    expect(steps).toEqual(['go']);
  });

  it('only the last of several attempts waiting on a guard goes ahead', async () => {
    const guards = createLeaveGuards();
    const steps: string[] = [];
    guards.add(async () => true);
    guards.leave(() => steps.push('first'));
    guards.leave(() => steps.push('second'));
    await settle();
    expect(steps).toEqual(['second']);
  });
});
