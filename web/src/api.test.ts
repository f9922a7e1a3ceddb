import { describe, expect, it } from '@jest/globals';
import { ApiError, createRetryKeys, problemText, uploadError } from './api.js';
import type { Localized } from './i18n.js';

const zh = (text: Localized) => text.zh;
const en = (text: Localized) => text.en;

describe('problemText', () => {
  it('shows the server’s own message, with the correlation id of a server error', () => {
    const error = new ApiError(500, {
      status: 500,
      message: { zh: '保存失败。', en: 'Not saved.' },
      correlationId: 'c-1',
    });
    expect(problemText(error, zh)).toBe('保存失败。 (c-1)');
    expect(problemText(error, en)).toBe('Not saved. (c-1)');
  });

  it('says what a status means when a gateway answered without a problem body', () => {
    for (const status of [502, 503, 504]) {
      const error = new ApiError(status, { status });
      expect(problemText(error, zh)).toBe('服务暂时不可用，请稍后重试。');
      expect(problemText(error, en)).toBe(
        'The service is temporarily unavailable; try again shortly.',
      );
    }
    expect(problemText(new ApiError(429, { status: 429 }), zh)).toBe(
      '请求过于频繁，请稍等片刻再试。',
    );
    expect(problemText(new ApiError(413, { status: 413 }), zh)).toContain('过大');
    expect(problemText(new ApiError(403, { status: 403 }), zh)).toBe('您没有权限执行此操作。');
    expect(problemText(new ApiError(401, { status: 401 }), zh)).toContain('重新登录');
    expect(problemText(new ApiError(404, { status: 404 }), en)).toContain('not found');
    expect(problemText(new ApiError(500, { status: 500 }), zh)).toBe('服务器出错，请稍后重试。');
    expect(problemText(new ApiError(418, { status: 418 }), en)).toBe(
      'The request failed (HTTP 418); please retry.',
    );
    for (const status of [400, 401, 403, 404, 413, 429, 500, 503, 418]) {
      expect(problemText(new ApiError(status, { status }), zh)).not.toMatch(/^HTTP/);
    }
  });

  it('says a failure that is not the server’s in both languages', () => {
    expect(problemText(new TypeError('x is undefined'), zh)).toBe('出现意外错误，请重试。');
  });
});

describe('uploadError', () => {
  it('tells that an expired upload link needs the file chosen again', () => {
    expect(problemText(uploadError(403), zh)).toBe('上传链接已过期，请重新选择文件上传。');
    expect(problemText(uploadError(403), en)).toBe(
      'The upload link expired; choose the file again.',
    );
  });

  it('falls back to what the status means otherwise', () => {
    expect(problemText(uploadError(503), zh)).toBe('服务暂时不可用，请稍后重试。');
  });
});

describe('createRetryKeys', () => {
  const counter = () => {
    let next = 0;
    return () => `key-${++next}`;
  };

  it('gives a retry of the same write the same key until it succeeds', () => {
    const keys = createRetryKeys(counter());
    const body = { expectedRevision: 2, explanations: { r1: '新馆开放' } };
    const first = keys.key('POST', '/r/submit', body);
    // The answer was lost: the same submit again, with a body equal but not the same object.
    expect(keys.key('POST', '/r/submit', structuredClone(body))).toBe(first);
    keys.done('POST', '/r/submit', body);
    expect(keys.key('POST', '/r/submit', body)).not.toBe(first);
  });

  it('gives another write, path or body a key of its own', () => {
    const keys = createRetryKeys(counter());
    const submit = keys.key('POST', '/r/submit', { expectedRevision: 2 });
    expect(keys.key('POST', '/r/submit', { expectedRevision: 3 })).not.toBe(submit);
    expect(keys.key('POST', '/other/submit', { expectedRevision: 2 })).not.toBe(submit);
    expect(keys.key('PUT', '/r/submit', { expectedRevision: 2 })).not.toBe(submit);
  });

  it('forgets the oldest writes beyond its limit', () => {
    const keys = createRetryKeys(counter(), 2);
    const first = keys.key('PUT', '/r', { n: 1 });
    keys.key('PUT', '/r', { n: 2 });
    keys.key('PUT', '/r', { n: 3 });
    expect(keys.key('PUT', '/r', { n: 1 })).not.toBe(first);
  });
});
