import { describe, expect, it } from '@jest/globals';
import type { Library, LibraryStore } from '../domain/registry/library.js';
import { loadRegistry, parseArguments } from './load-registry.js';

const registry = {
  source: 'test',
  provinceCode: '14',
  provinceName: '山西省',
  libraries: [
    {
      libraryId: '140429',
      name: '武乡县图书馆',
      countyName: '武乡县',
      cityCode: '1404',
      cityName: '长治市',
    },
  ],
};

describe('parseArguments', () => {
  it('reads the table, an optional registry file and --dry-run', () => {
    expect(
      parseArguments(['--table', 'CountyLibraryReportsStateful-MainTable74195DAB-1A2B3C']),
    ).toEqual({
      table: 'CountyLibraryReportsStateful-MainTable74195DAB-1A2B3C',
      dryRun: false,
    });
    expect(
      parseArguments([
        '--table',
        'reports',
        '--registry',
        'reference/libraries-14.json',
        '--dry-run',
      ]),
    ).toEqual({ table: 'reports', registry: 'reference/libraries-14.json', dryRun: true });
  });

  it.each([
    [[], /--table/],
    [['--table', 'a b'], /--table: must be the TableName output/],
    [['--table', 'reports', 'extra'], /Unexpected argument 'extra'/],
  ])('rejects %j with the usage', (args, message) => {
    expect(() => parseArguments(args)).toThrow(message);
    expect(() => parseArguments(args)).toThrow('usage: npm run registry:load');
  });
});

describe('loadRegistry', () => {
  it('writes every library of the registry to the store', async () => {
    const written: Library[][] = [];
    const store: Pick<LibraryStore, 'putLibraries'> = {
      putLibraries: async (libraries) => {
        written.push([...libraries]);
      },
    };
    const lines: string[] = [];
    await loadRegistry(registry, store, (line) => lines.push(line));
    expect(written).toEqual([registry.libraries]);
    expect(lines).toEqual(['wrote 1 libraries of 山西省 (14)']);
  });

  it('only reports what it would write on a dry run', async () => {
    const lines: string[] = [];
    await loadRegistry(registry, undefined, (line) => lines.push(line));
    expect(lines).toEqual(['would write 1 libraries of 山西省 (14)']);
  });
});
