import { describe, expect, it } from '@jest/globals';
import { ForbiddenError } from '../errors.js';
import { type Action, authorize, isAllowed, POLICY } from './policy.js';
import type { Principal } from './principal.js';

const OWN_LIBRARY = '140429';
const OTHER_LIBRARY = '140430';

type Caller = 'library own' | 'library other' | 'province' | 'admin';

const librarian: Principal = { subject: 'librarian-1', role: 'library', libraryId: OWN_LIBRARY };
const CALLERS: Record<Caller, { principal: Principal; libraryId: string }> = {
  'library own': { principal: librarian, libraryId: OWN_LIBRARY },
  'library other': { principal: librarian, libraryId: OTHER_LIBRARY },
  province: { principal: { subject: 'province-1', role: 'province' }, libraryId: OWN_LIBRARY },
  admin: { principal: { subject: 'admin-1', role: 'admin' }, libraryId: OWN_LIBRARY },
};

/**
 * Who may do what, spelt out independently of POLICY: changing the policy must change this
 * table too. "library other" is a librarian acting on another library's data.
 */
const EXPECTED: Record<Action, Record<Caller, boolean>> = {
  'submission:read': {
    'library own': true,
    'library other': false,
    province: true,
    admin: true,
  },
  'submission:edit': {
    'library own': true,
    'library other': false,
    province: false,
    admin: false,
  },
  'submission:review': {
    'library own': false,
    'library other': false,
    province: true,
    admin: true,
  },
  'submission:reopen': {
    'library own': false,
    'library other': false,
    province: false,
    admin: true,
  },
  'submissions:list': {
    'library own': false,
    'library other': false,
    province: true,
    admin: true,
  },
  'period:read': {
    'library own': true,
    'library other': true,
    province: true,
    admin: true,
  },
  'period:manage': {
    'library own': false,
    'library other': false,
    province: false,
    admin: true,
  },
  'rollup:run': {
    'library own': false,
    'library other': false,
    province: true,
    admin: true,
  },
  'rollup:read': {
    'library own': false,
    'library other': false,
    province: true,
    admin: true,
  },
  // Reads and stores nothing: any library may turn its own prose into suggestions.
  'narrative:import': {
    'library own': true,
    'library other': true,
    province: false,
    admin: false,
  },
};

const ACTIONS = Object.keys(EXPECTED) as Action[];
const CASES = ACTIONS.flatMap((action) =>
  (Object.keys(CALLERS) as Caller[]).map(
    (caller) => [action, caller, EXPECTED[action][caller]] as const,
  ),
);

describe('POLICY', () => {
  it('has exactly the actions of the expectation table', () => {
    expect(Object.keys(POLICY).sort()).toEqual([...ACTIONS].sort());
  });

  it.each(CASES)('%s by %s: allowed %s', (action, caller, allowed) => {
    const { principal, libraryId } = CALLERS[caller];
    expect(isAllowed(principal, action, libraryId)).toBe(allowed);
    if (allowed) {
      expect(() => authorize(principal, action, libraryId)).not.toThrow();
    } else {
      expect(() => authorize(principal, action, libraryId)).toThrow(ForbiddenError);
    }
  });
});

describe('authorize', () => {
  it('throws a 403 with a message in both languages', () => {
    let thrown: unknown;
    try {
      authorize(librarian, 'submission:edit', OTHER_LIBRARY);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ForbiddenError);
    expect(thrown).toMatchObject({
      statusCode: 403,
      code: 'forbidden',
      detail: { zh: '无权执行此操作。', en: 'You are not allowed to do this.' },
    });
  });

  it('denies a librarian an own-library action when no library is named', () => {
    expect(isAllowed(librarian, 'submission:read')).toBe(false);
    expect(isAllowed(librarian, 'submission:edit')).toBe(false);
  });

  it('lets province and admin read any library, with or without a library named', () => {
    for (const principal of [CALLERS.province.principal, CALLERS.admin.principal]) {
      expect(isAllowed(principal, 'submission:read', OTHER_LIBRARY)).toBe(true);
      expect(isAllowed(principal, 'submission:read')).toBe(true);
    }
  });

  it('does not scope actions without a library to one library', () => {
    expect(isAllowed(librarian, 'period:read')).toBe(true);
    expect(isAllowed(librarian, 'period:read', OTHER_LIBRARY)).toBe(true);
  });
});
