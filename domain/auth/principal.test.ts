import { describe, expect, it } from '@jest/globals';
import { ForbiddenError, UnauthorizedError } from '../errors.js';
import {
  canReadLibrary,
  GROUPS_CLAIM,
  LIBRARY_ID_CLAIM,
  type Principal,
  parseGroups,
  principalFromClaims,
} from './principal.js';

const SUB = '0f8fad5b-d9cb-469f-a165-70867728950e';

describe('parseGroups', () => {
  it('reads the API Gateway form', () => {
    expect(parseGroups('[admin province]')).toEqual(['admin', 'province']);
  });

  it('reads the API Gateway form of a single group', () => {
    expect(parseGroups('[library]')).toEqual(['library']);
  });

  it('reads an empty API Gateway list as no groups', () => {
    expect(parseGroups('[]')).toEqual([]);
  });

  it('reads a real array from a decoded token, dropping non-strings', () => {
    expect(parseGroups(['province', 'library'])).toEqual(['province', 'library']);
    expect(parseGroups(['admin', 7, null, { role: 'admin' }])).toEqual(['admin']);
  });

  it('reads a comma-separated list, with or without spaces', () => {
    expect(parseGroups('admin,province')).toEqual(['admin', 'province']);
    expect(parseGroups('admin, province ,library')).toEqual(['admin', 'province', 'library']);
  });

  it('reads a bare single group', () => {
    expect(parseGroups('province')).toEqual(['province']);
  });

  it.each([
    ['an empty string', ''],
    ['undefined', undefined],
    ['null', null],
    ['a number', 42],
    ['an object', { groups: ['admin'] }],
    ['blank brackets', '[  ]'],
  ])('returns no groups for %s', (_label, value) => {
    expect(parseGroups(value)).toEqual([]);
  });
});

describe('principalFromClaims', () => {
  it('makes a province principal', () => {
    expect(principalFromClaims({ sub: SUB, [GROUPS_CLAIM]: '[province]' })).toEqual({
      subject: SUB,
      role: 'province',
    });
  });

  it('makes an admin principal from a real array', () => {
    expect(principalFromClaims({ sub: SUB, [GROUPS_CLAIM]: ['admin'] })).toEqual({
      subject: SUB,
      role: 'admin',
    });
  });

  it('lets admin win over province and library, whatever the order', () => {
    expect(principalFromClaims({ sub: SUB, [GROUPS_CLAIM]: '[province admin]' }).role).toBe(
      'admin',
    );
    expect(
      principalFromClaims({
        sub: SUB,
        [GROUPS_CLAIM]: ['library', 'province', 'admin'],
        [LIBRARY_ID_CLAIM]: '140429',
      }).role,
    ).toBe('admin');
  });

  it('lets province win over library and carries no library id', () => {
    const principal = principalFromClaims({
      sub: SUB,
      [GROUPS_CLAIM]: '[library province]',
      [LIBRARY_ID_CLAIM]: '140429',
    });
    expect(principal).toEqual({ subject: SUB, role: 'province' });
  });

  it('ignores unknown groups next to a known one', () => {
    expect(principalFromClaims({ sub: SUB, [GROUPS_CLAIM]: '[staff province]' }).role).toBe(
      'province',
    );
  });

  it('makes a library principal bound to custom:libraryId', () => {
    expect(
      principalFromClaims({
        sub: SUB,
        [GROUPS_CLAIM]: '[library]',
        [LIBRARY_ID_CLAIM]: '140429',
      }),
    ).toEqual({ subject: SUB, role: 'library', libraryId: '140429' });
  });

  it('refuses a library account without a library id', () => {
    expect(() => principalFromClaims({ sub: SUB, [GROUPS_CLAIM]: '[library]' })).toThrow(
      ForbiddenError,
    );
  });

  it.each([
    ['five digits', '14042'],
    ['seven digits', '1404290'],
    ['letters', '14042x'],
    ['surrounding spaces', ' 140429 '],
    ['a trailing newline', '140429\n'],
    ['full-width digits', '１４０４２９'],
    ['a number instead of a string', 140429],
    ['an empty string', ''],
  ])('refuses a library account whose library id has %s', (_label, libraryId) => {
    const claims = { sub: SUB, [GROUPS_CLAIM]: '[library]', [LIBRARY_ID_CLAIM]: libraryId };
    expect(() => principalFromClaims(claims)).toThrow(ForbiddenError);
  });

  it('refuses an account in no recognised group, with a bilingual reason', () => {
    let thrown: unknown;
    try {
      principalFromClaims({ sub: SUB, [GROUPS_CLAIM]: '[staff Admin]' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ForbiddenError);
    if (!(thrown instanceof ForbiddenError)) return;
    expect(thrown.statusCode).toBe(403);
    expect(thrown.detail.zh).not.toBe('');
    expect(thrown.detail.en).not.toBe('');
  });

  it('refuses an account without any group claim', () => {
    expect(() => principalFromClaims({ sub: SUB })).toThrow(ForbiddenError);
    expect(() => principalFromClaims({ sub: SUB, [GROUPS_CLAIM]: '[]' })).toThrow(ForbiddenError);
  });

  it.each([
    ['undefined claims', undefined],
    ['no sub', { [GROUPS_CLAIM]: '[admin]' }],
    ['an empty sub', { sub: '', [GROUPS_CLAIM]: '[admin]' }],
    ['a numeric sub', { sub: 42, [GROUPS_CLAIM]: '[admin]' }],
  ])('requires sign-in for %s', (_label, claims) => {
    expect(() => principalFromClaims(claims)).toThrow(UnauthorizedError);
  });

  it('checks the subject before the role', () => {
    expect(() => principalFromClaims({ [GROUPS_CLAIM]: '[nobody]' })).toThrow(UnauthorizedError);
  });
});

describe('canReadLibrary', () => {
  const library: Principal = { subject: SUB, role: 'library', libraryId: '140429' };
  const province: Principal = { subject: SUB, role: 'province' };
  const admin: Principal = { subject: SUB, role: 'admin' };

  it('lets a library read itself only', () => {
    expect(canReadLibrary(library, '140429')).toBe(true);
    expect(canReadLibrary(library, '140430')).toBe(false);
    expect(canReadLibrary(library, '')).toBe(false);
  });

  it('lets province staff and administrators read every library', () => {
    for (const principal of [province, admin]) {
      expect(canReadLibrary(principal, '140429')).toBe(true);
      expect(canReadLibrary(principal, '140105')).toBe(true);
    }
  });
});
