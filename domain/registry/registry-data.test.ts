import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DEFAULT_REGISTRY_FILE, readRegistryFile } from '../../adapters/registry-file.js';
import type { Library } from './library.js';
import { InvalidRegistryError, parseRegistryData, type RegistryData } from './registry-data.js';

const SOURCE = '/reference/libraries-test.json';

const library = (overrides: Partial<Library> = {}): Library => ({
  libraryId: '140429',
  name: '武乡县图书馆',
  countyName: '武乡县',
  cityCode: '1404',
  cityName: '长治市',
  ...overrides,
});

const registry = (libraries: unknown[]) => ({
  source: 'test data',
  provinceCode: '14',
  provinceName: '山西省',
  libraries,
});

/** Parses and returns the InvalidRegistryError it must throw. */
const rejectionOf = (json: unknown): InvalidRegistryError => {
  let thrown: unknown;
  try {
    parseRegistryData(SOURCE, json);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(InvalidRegistryError);
  if (!(thrown instanceof InvalidRegistryError)) throw new Error('expected InvalidRegistryError');
  return thrown;
};

describe('the shipped registry (reference/libraries-14.json)', () => {
  let shipped: RegistryData;

  beforeAll(async () => {
    shipped = await readRegistryFile();
  });

  it('is read from the reference directory by default', () => {
    expect(DEFAULT_REGISTRY_FILE).toMatch(/reference[/\\]libraries-14\.json$/);
  });

  it('is Shanxi (14) with exactly 117 county-level libraries', () => {
    expect(shipped.provinceCode).toBe('14');
    expect(shipped.provinceName).toBe('山西省');
    expect(shipped.libraries).toHaveLength(117);
  });

  it('has unique six-digit ids, all in province 14', () => {
    const ids = shipped.libraries.map((entry) => entry.libraryId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(id).toMatch(/^14\d{4}$/);
    }
  });

  it('contains no statistics-only code ending 71–79', () => {
    const statisticsOnly = shipped.libraries.filter((entry) => {
      const lastTwo = Number(entry.libraryId.slice(-2));
      return lastTwo >= 71 && lastTwo <= 79;
    });
    expect(statisticsOnly).toEqual([]);
  });

  it('spans the 11 cities, each library inside its city', () => {
    const cities = new Map<string, string>();
    for (const entry of shipped.libraries) {
      expect(entry.libraryId.startsWith(entry.cityCode)).toBe(true);
      const known = cities.get(entry.cityCode);
      if (known !== undefined) expect(entry.cityName).toBe(known);
      cities.set(entry.cityCode, entry.cityName);
    }
    expect(cities.size).toBe(11);
    expect(new Set(cities.values()).size).toBe(11);
  });

  it('contains 140429 武乡县 in 长治市', () => {
    expect(shipped.libraries.find((entry) => entry.libraryId === '140429')).toEqual({
      libraryId: '140429',
      countyName: '武乡县',
      name: '武乡县图书馆',
      cityCode: '1404',
      cityName: '长治市',
    });
  });
});

describe('parseRegistryData', () => {
  it('accepts a small valid registry', () => {
    const parsed = parseRegistryData(
      SOURCE,
      registry([library(), library({ libraryId: '140105', cityCode: '1401', cityName: '太原市' })]),
    );
    expect(parsed.libraries.map((entry) => entry.libraryId)).toEqual(['140429', '140105']);
  });

  it('rejects a duplicate id, naming the file and the second entry', () => {
    const error = rejectionOf(registry([library(), library({ name: '另一个馆' })]));
    expect(error.name).toBe('InvalidRegistryError');
    expect(error.message).toContain(SOURCE);
    expect(error.message).toContain('libraries.1.libraryId');
    expect(error.message).toContain('duplicate library 140429');
    expect(error.message).not.toContain('libraries.0.libraryId');
  });

  it.each(['140171', '140475', '140479'])('rejects the statistics-only code %s', (libraryId) => {
    const cityCode = libraryId.slice(0, 4);
    const error = rejectionOf(registry([library(), library({ libraryId, cityCode })]));
    expect(error.message).toContain(SOURCE);
    expect(error.message).toContain('libraries.1.libraryId');
    expect(error.message).toContain('statistics-only');
  });

  it('accepts codes ending just outside 71–79', () => {
    const parsed = parseRegistryData(
      SOURCE,
      registry([
        library({ libraryId: '140481' }),
        library({ libraryId: '140469' }),
        library({ libraryId: '140407' }),
      ]),
    );
    expect(parsed.libraries).toHaveLength(3);
  });

  it('rejects a library whose id lies outside its city', () => {
    const error = rejectionOf(registry([library({ libraryId: '140521' })]));
    expect(error.message).toContain(SOURCE);
    expect(error.message).toContain('libraries.0.libraryId');
    expect(error.message).toContain('not in city 1404');
  });

  it('rejects a city outside the province', () => {
    const error = rejectionOf(
      registry([
        library(),
        library({ libraryId: '130102', cityCode: '1301', cityName: '石家庄市' }),
      ]),
    );
    expect(error.message).toContain(SOURCE);
    expect(error.message).toContain('libraries.1.libraryId');
    expect(error.message).toContain('not in province 14');
  });

  it.each([
    ['five digits', { libraryId: '14042' }, 'libraries.0.libraryId'],
    ['letters', { libraryId: '1404ab' }, 'libraries.0.libraryId'],
    ['a number', { libraryId: 140429 }, 'libraries.0.libraryId'],
    ['a three-digit city', { cityCode: '140' }, 'libraries.0.cityCode'],
    ['an empty name', { name: '' }, 'libraries.0.name'],
  ])('rejects a malformed entry with %s', (_label, overrides, path) => {
    const error = rejectionOf(registry([{ ...library(), ...overrides }]));
    expect(error.message).toContain(SOURCE);
    expect(error.message).toContain(path);
  });

  it('rejects a malformed province code', () => {
    const error = rejectionOf({ ...registry([library()]), provinceCode: '140' });
    expect(error.message).toContain('provinceCode');
  });

  it('rejects an empty registry and a non-object', () => {
    expect(rejectionOf(registry([])).message).toContain('libraries');
    expect(rejectionOf(null).message).toContain(SOURCE);
    expect(rejectionOf([library()]).message).toContain(SOURCE);
  });

  it('lists every problem, one per line', () => {
    const error = rejectionOf(
      registry([library(), library(), library({ libraryId: '140171', cityCode: '1401' })]),
    );
    expect(error.message.split('\n').length).toBeGreaterThanOrEqual(3);
    expect(error.message).toContain('libraries.1.libraryId: duplicate library 140429');
    expect(error.message).toContain('libraries.2.libraryId: statistics-only division code');
  });
});

describe('readRegistryFile', () => {
  let directory: string;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'registry-test-'));
  });

  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('names the file it rejects', async () => {
    const path = join(directory, 'libraries-bad.json');
    await writeFile(path, JSON.stringify(registry([library(), library()])));
    await expect(readRegistryFile(path)).rejects.toThrow(InvalidRegistryError);
    await expect(readRegistryFile(path)).rejects.toThrow(path);
  });

  it('names the file that is not JSON', async () => {
    const path = join(directory, 'libraries-broken.json');
    await writeFile(path, '{ "libraries": [');
    await expect(readRegistryFile(path)).rejects.toThrow(`Registry file ${path} is not valid JSON`);
  });
});
