import { describe, expect, it } from '@jest/globals';
import { downloadName } from './model.js';

describe('downloadName', () => {
  it.each([
    ['活动照片.png', 'image/png', '活动照片.png'],
    ['photo.JPG', 'image/jpeg', 'photo.jpg'],
    ['扫描件', 'application/pdf', '扫描件.pdf'],
    ['年报.2025.final.pdf', 'application/pdf', '年报.2025.final.pdf'],
  ] as const)('keeps the name %j of a %s with its type’s extension', (name, type, saved) => {
    expect(downloadName(name, type)).toBe(saved);
  });

  it.each([
    ['申报.exe', 'image/png', '申报.png'],
    ['x.html', 'image/jpeg', 'x.jpg'],
    ['logo.svg', 'image/webp', 'logo.webp'],
  ] as const)(
    'saves %j as the %s verification found, not as its own extension',
    (name, type, saved) => {
      expect(downloadName(name, type)).toBe(saved);
    },
  );

  it('drops bidirectional marks, controls and path separators', () => {
    // Shown as "photoexe.jpg" by the right-to-left override, but really ending in .exe.
    expect(downloadName('photo\u202Egpj.exe', 'image/jpeg')).toBe('photogpj.jpg');
    expect(downloadName('../../a\u0000b\r\n.png', 'image/png')).toBe('....ab.png');
    expect(downloadName('C:\\temp\\x.png', 'image/png')).toBe('C:tempx.png');
  });

  it('names a file with nothing left of its name', () => {
    expect(downloadName('.png', 'image/png')).toBe('佐证材料.png');
    expect(downloadName('\u202E', 'application/pdf')).toBe('佐证材料.pdf');
  });
});
