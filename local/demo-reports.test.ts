import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { FormRegistry } from '../domain/forms/catalog.js';
import { validateFinal } from '../domain/forms/compile.js';
import { loadForms } from '../scripts/forms/source.js';
import { demoReport, libraryProfile, seededRandom } from './demo-reports.js';

const { catalog } = loadForms(fileURLToPath(new URL('../forms/', import.meta.url)));
if (!catalog) throw new Error('forms/ does not load');
const form = new FormRegistry(catalog).get('county-annual-report');
if (!form) throw new Error('county-annual-report missing');

describe('demo reports', () => {
  it('are complete, valid reports for every seed, year on year', () => {
    for (let seed = 1; seed <= 300; seed += 1) {
      const random = seededRandom(seed);
      const profile = libraryProfile(random);
      const previous = demoReport(profile, 2024, random);
      const current = demoReport(profile, 2025, random);
      for (const [values, before] of [
        [previous, undefined],
        [current, previous],
      ] as const) {
        const report = validateFinal(form, values, before);
        expect({ seed, errors: report.fieldErrors, rules: report.ruleErrors }).toEqual({
          seed,
          errors: [],
          rules: [],
        });
      }
    }
  });

  it('are deterministic for a seed and spread like real county libraries', () => {
    const first = demoReport(libraryProfile(seededRandom(7)), 2025, seededRandom(8));
    const again = demoReport(libraryProfile(seededRandom(7)), 2025, seededRandom(8));
    expect(again).toEqual(first);
    const profiles = Array.from({ length: 200 }, (_, seed) => libraryProfile(seededRandom(seed)));
    const holdings = profiles.map((profile) => profile.holdingsTotal);
    expect(Math.min(...holdings)).toBeGreaterThanOrEqual(50_000);
    expect(Math.max(...holdings)).toBeLessThanOrEqual(300_000);
    const withoutBudget = profiles.filter((profile) => !profile.dedicatedBookBudget).length;
    expect(withoutBudget / profiles.length).toBeGreaterThan(0.35);
  });
});
