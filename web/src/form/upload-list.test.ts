import { describe, expect, it } from '@jest/globals';
import { finishUpload, startUpload, updateUpload, withoutFailed } from './upload-list.js';

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
