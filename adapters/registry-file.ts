import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseRegistryData, type RegistryData } from '../domain/registry/registry-data.js';

/** The demo province's registry shipped with the project (Shanxi, code 14). */
export const DEFAULT_REGISTRY_FILE = fileURLToPath(
  new URL('../reference/libraries-14.json', import.meta.url),
);

export const readRegistryFile = async (path = DEFAULT_REGISTRY_FILE): Promise<RegistryData> => {
  const text = await readFile(path, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new Error(`Registry file ${path} is not valid JSON: ${(cause as Error).message}`, {
      cause,
    });
  }
  return parseRegistryData(path, json);
};
