import { describe, expect, it } from '@jest/globals';
import {
  createLimiter,
  finishUpload,
  startUpload,
  updateUpload,
  withoutFailed,
} from './upload-list.js';

describe('uploads of files with the same name', () => {
  it('keep their own progress, errors and completion', () => {
    let uploads = startUpload([], 1, 'photo.jpg');
    uploads = startUpload(uploads, 2, 'photo.jpg');
    uploads = updateUpload(uploads, 1, { progress: 0.5 });
    uploads = updateUpload(uploads, 2, { error: '文件未通过校验' });
    expect(uploads).toEqual([
      { id: 1, name: 'photo.jpg', progress: 0.5 },
      { id: 2, name: 'photo.jpg', progress: 0, error: '文件未通过校验' },
    ]);
    expect(finishUpload(uploads, 1)).toEqual([
      { id: 2, name: 'photo.jpg', progress: 0, error: '文件未通过校验' },
    ]);
  });

  it('a new choice of files clears old failures but not running uploads', () => {
    const uploads = updateUpload(startUpload(startUpload([], 1, 'a.pdf'), 2, 'a.pdf'), 1, {
      error: '请先保存报告',
    });
    expect(withoutFailed(uploads)).toEqual([{ id: 2, name: 'a.pdf', progress: 0 }]);
  });
});

describe('uploads picked together', () => {
  it('run at most the limit at a time, in the order picked, a failure freeing its place', async () => {
    const run = createLimiter(2);
    const started: string[] = [];
    const finishers = new Map<string, (ok: boolean) => void>();
    const task = (name: string) =>
      run(
        () =>
          new Promise<string>((resolve, reject) => {
            started.push(name);
            finishers.set(name, (ok) => (ok ? resolve(name) : reject(new Error(name))));
          }),
      );
    const outcomes = ['a', 'b', 'c', 'd'].map((name) =>
      task(name).then(
        (value) => `${value} done`,
        (error: Error) => `${error.message} failed`,
      ),
    );
    await Promise.resolve();
    expect(started).toEqual(['a', 'b']);
    finishers.get('b')?.(false);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(started).toEqual(['a', 'b', 'c']);
    finishers.get('a')?.(true);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(started).toEqual(['a', 'b', 'c', 'd']);
    finishers.get('c')?.(true);
    finishers.get('d')?.(true);
    expect(await Promise.all(outcomes)).toEqual(['a done', 'b failed', 'c done', 'd done']);
  });

  it('hands a freed place to the task waiting, not to one arriving as it is freed', async () => {
    const run = createLimiter(1);
    let active = 0;
    let most = 0;
    const task = (name: string, onEnd?: () => void) =>
      run(async () => {
        active += 1;
        most = Math.max(most, active);
        await new Promise((resolve) => setTimeout(resolve, 5));
        active -= 1;
        onEnd?.();
        return name;
      });
    // `c` arrives a few microtasks after `a` ends: one of them falls between `a` freeing its
    // place and `b` taking it.
    for (let ticks = 0; ticks < 8; ticks += 1) {
      let third: Promise<string> | undefined;
      const first = task('a', () => {
        let later = Promise.resolve();
        for (let tick = 0; tick < ticks; tick += 1) later = later.then(() => undefined);
        void later.then(() => {
          third = task('c');
        });
      });
      const second = task('b');
      expect(await Promise.all([first, second])).toEqual(['a', 'b']);
      expect(await third).toBe('c');
    }
    expect(most).toBe(1);
  });
});
