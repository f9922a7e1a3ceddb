/**
 * Loads the demo reports into the local stack through the real submission service, so every
 * demo report passed the same validation, rules and transitions a user's would:
 * 2024 all accepted; 2025 mostly submitted, some accepted, some drafts, some missing, a few
 * returned with comments; 2026 open, with drafts under way. Runs once per data directory.
 */
import type { Principal } from '../domain/auth/principal.js';
import type { FormRegistry } from '../domain/forms/catalog.js';
import { evaluateRules, type FormValues } from '../domain/forms/compile.js';
import { PeriodService } from '../domain/periods/service.js';
import type { PeriodStore } from '../domain/periods/window.js';
import type { Library } from '../domain/registry/library.js';
import { InMemoryLibraryStore } from '../domain/registry/memory-store.js';
import { SubmissionService } from '../domain/submissions/service.js';
import type { SubmissionStore } from '../domain/submissions/store.js';
import {
  DEMO_EXPLANATIONS,
  demoReport,
  libraryProfile,
  partialReport,
  type Random,
  seededRandom,
} from './demo-reports.js';
import { inParallel } from './tools.js';

export const DEMO_FORM = 'county-annual-report';
/** The library the sign-in links show: its 2025 report was returned, its 2026 draft started. */
export const FEATURED_LIBRARY = '140429';
const PROVINCE: Principal = { subject: 'demo-province-office', role: 'province' };

/** The seeder writes history with past timestamps, outside today's windows. */
const openWindow = {
  opensAt: '2000-01-01T00:00:00.000Z',
  dueAt: '2099-12-31T00:00:00.000Z',
  locksAt: '2099-12-31T00:00:00.000Z',
  updatedBy: { subject: 'demo', role: 'admin' },
  updatedAt: '2000-01-01T00:00:00.000Z',
} as const;
const alwaysOpen: PeriodStore = {
  getWindow: async () => openWindow,
  putWindow: async () => undefined,
  listExceptions: async () => [],
  getWindowAndException: async () => ({ window: openWindow }),
  putException: async () => undefined,
};

const hashOf = (text: string) =>
  [...text].reduce((hash, c) => Math.imul(hash ^ c.charCodeAt(0), 16_777_619), 2_166_136_261);

type Fate = 'missing' | 'draft' | 'submitted' | 'returned' | 'accepted';

const fate2025 = (random: Random): Fate => {
  const roll = random();
  return roll < 0.08
    ? 'missing'
    : roll < 0.18
      ? 'draft'
      : roll < 0.24
        ? 'returned'
        : roll < 0.5
          ? 'accepted'
          : 'submitted';
};

export interface DemoSeedResult {
  reports: number;
}

export const seedDemoReports = async (deps: {
  store: SubmissionStore;
  forms: FormRegistry;
  libraries: readonly Library[];
}): Promise<DemoSeedResult> => {
  const form = deps.forms.get(DEMO_FORM);
  if (!form) throw new Error(`Demo data needs the ${DEMO_FORM} form`);
  let reports = 0;

  const registry = new InMemoryLibraryStore(deps.libraries);
  await inParallel(deps.libraries, 8, async (library) => {
    const random = seededRandom(hashOf(library.libraryId));
    const profile = libraryProfile(random);
    // Each library gets its own clock so parallel seeding keeps every history in order.
    let clock = new Date('2025-01-06T02:00:00Z');
    const at = (iso: string, jitterHours = 0) => {
      clock = new Date(new Date(iso).getTime() + jitterHours * 3_600_000);
    };
    const service = new SubmissionService({
      store: deps.store,
      forms: deps.forms,
      periods: new PeriodService({
        store: alwaysOpen,
        forms: deps.forms,
        libraries: registry,
        now: () => clock,
      }),
      now: () => clock,
    });
    const owner: Principal = {
      subject: `demo-library-${library.libraryId}`,
      role: 'library',
      libraryId: library.libraryId,
    };
    const key = (period: string) => ({ libraryId: library.libraryId, formId: DEMO_FORM, period });

    const submit = async (
      period: string,
      values: FormValues,
      previous: FormValues | undefined,
      revision: number,
    ) => {
      const warnings = evaluateRules(form, values, previous).warnings;
      const explanations = Object.fromEntries(
        warnings.map((warning) => [
          warning.ruleId,
          DEMO_EXPLANATIONS[warning.ruleId] ?? '数据经核实无误。',
        ]),
      );
      await service.submit(owner, key(period), { expectedRevision: revision, explanations });
    };

    // 2024: every library reported and was accepted.
    const report2024 = demoReport(profile, 2024, random);
    at('2025-01-06T02:00:00Z', random() * 400);
    await service.saveDraft(owner, key('2024'), { values: report2024, expectedRevision: 0 });
    at(clock.toISOString(), 2 + random() * 48);
    await submit('2024', report2024, undefined, 1);
    at(clock.toISOString(), 24 + random() * 200);
    await service.accept(PROVINCE, key('2024'), {});
    reports += 1;

    // 2025: the period under review.
    const report2025 = demoReport(profile, 2025, random);
    const fate = library.libraryId === FEATURED_LIBRARY ? 'returned' : fate2025(random);
    if (fate !== 'missing') {
      at('2026-01-05T02:00:00Z', random() * 600);
      const values =
        fate === 'draft' ? partialReport(report2025, 0.4 + random() * 0.4) : report2025;
      await service.saveDraft(owner, key('2025'), { values, expectedRevision: 0 });
      if (fate !== 'draft') {
        at(clock.toISOString(), 2 + random() * 72);
        await submit('2025', values, report2024, 1);
      }
      if (fate === 'accepted') {
        at(clock.toISOString(), 24 + random() * 120);
        await service.accept(PROVINCE, key('2025'), {});
      }
      if (fate === 'returned') {
        at(clock.toISOString(), 24 + random() * 120);
        await service.returnToLibrary(PROVINCE, key('2025'), {
          message: '请核实馆藏和经费数据，并补充问题说明后重新提交。',
          fieldComments: {
            holdingsTotal: '总藏量与上年报送数据差异较大，请核实是否含电子图书。',
            bookFunds: '购书经费请只填写实际用于购书的金额，不含设备购置。',
          },
        });
      }
      reports += 1;
    }

    // 2026: open now; about one library in six has started its draft.
    if (random() < 0.16 || library.libraryId === FEATURED_LIBRARY) {
      at('2026-11-05T02:00:00Z', random() * 300);
      await service.saveDraft(owner, key('2026'), {
        values: partialReport(demoReport(profile, 2026, random), 0.2 + random() * 0.5),
        expectedRevision: 0,
      });
      reports += 1;
    }
  });
  return { reports };
};
