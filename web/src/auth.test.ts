import { describe, expect, it } from '@jest/globals';
import { sessionFromToken } from './auth.js';

const tokenWith = (claims: Record<string, unknown>) =>
  ['{"alg":"ES256"}', JSON.stringify(claims), 'signature']
    .map((part, index) => (index === 2 ? part : Buffer.from(part).toString('base64url')))
    .join('.');

describe('sessionFromToken', () => {
  it('reads a library user with a Chinese name in the claims', () => {
    const token = tokenWith({
      sub: 'u-1',
      exp: 2_000_000_000,
      name: '武乡县图书馆',
      'cognito:groups': ['library'],
      'custom:libraryId': '140429',
    });
    expect(sessionFromToken(token)).toEqual({
      token,
      subject: 'u-1',
      role: 'library',
      libraryId: '140429',
      expiresAt: 2_000_000_000,
    });
  });

  it('takes the strongest role of several groups', () => {
    const token = tokenWith({
      sub: 'u-2',
      exp: 2_000_000_000,
      'cognito:groups': ['library', 'admin'],
    });
    expect(sessionFromToken(token)?.role).toBe('admin');
  });

  it('refuses tokens it cannot use', () => {
    expect(sessionFromToken('not a token')).toBeUndefined();
    expect(sessionFromToken(tokenWith({ sub: 'u-3', exp: 2_000_000_000 }))).toBeUndefined();
    expect(
      sessionFromToken(
        tokenWith({ sub: 'u-4', exp: 2_000_000_000, 'cognito:groups': ['library'] }),
      ),
    ).toBeUndefined();
  });
});
