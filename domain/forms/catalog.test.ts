import { describe, expect, it } from '@jest/globals';
import { catalogData } from '../../forms/catalog.generated.js';
import { FormRegistry } from './catalog.js';
import { FormCatalog, type FormDefinition } from './definition.js';
import {
  countyAnnualReport,
  realPeriods,
  realStandards,
  withSelfServiceMachines,
} from './fixtures.js';

const v1 = countyAnnualReport();

/** 2026.2: the same form with one added field. */
const v2 = (): FormDefinition => withSelfServiceMachines('2026.2');

const catalogOf = (forms: FormDefinition[]): FormCatalog => ({
  forms,
  standards: realStandards(),
  periods: realPeriods(),
});

describe('FormRegistry', () => {
  it('lists each form with its active version', () => {
    const registry = new FormRegistry(catalogOf([v1]));
    expect(registry.list()).toEqual([
      {
        formId: 'county-annual-report',
        version: '2026.1',
        title: { zh: '县级公共图书馆年度工作报告', en: 'County public library annual report' },
        periodType: 'annual',
        versions: ['2026.1'],
      },
    ]);
    expect(registry.get('county-annual-report')).toBeDefined();
    expect(registry.get('other-form')).toBeUndefined();
  });

  it('compiles on first use and caches the compiled form', () => {
    const registry = new FormRegistry(catalogOf([v1]));
    const first = registry.get('county-annual-report');
    expect(first?.definition.version).toBe('2026.1');
    expect(registry.get('county-annual-report')).toBe(first);
    expect(registry.get('county-annual-report', '2026.1')).toBe(first);
  });

  it('answers undefined for an unknown form or version', () => {
    const registry = new FormRegistry(catalogOf([v1]));
    expect(registry.get('county-annual-report', '2025.9')).toBeUndefined();
    expect(registry.get('other-form')).toBeUndefined();
  });

  it('makes the higher of two versions active, whatever their order in the catalog', () => {
    const registry = new FormRegistry(catalogOf([v2(), v1]));
    expect(registry.list()).toMatchObject([{ version: '2026.2', versions: ['2026.1', '2026.2'] }]);
    const active = registry.get('county-annual-report');
    expect(active?.definition.version).toBe('2026.2');
    expect(active?.fields.has('selfServiceMachines')).toBe(true);
    const older = registry.get('county-annual-report', '2026.1');
    expect(older?.fields.has('selfServiceMachines')).toBe(false);
    expect(older).not.toBe(active);
  });

  it('gives the standards of a form', () => {
    const registry = new FormRegistry(catalogOf([v1]));
    const keys = registry.standardsFor('county-annual-report').map((standard) => standard.key);
    expect(keys).toContain('holdingsPerCapitaMin');
    expect(keys).toHaveLength(realStandards().length);
    expect(registry.standardsFor('other-form')).toEqual([]);
  });

  it('the generated catalog is already what the meta-schema makes of it (functions skip parsing)', () => {
    expect(FormCatalog.parse(structuredClone(catalogData))).toEqual(catalogData);
  });
});
