import type { Library } from './library.js';

/** A registry entry for tests that need a library to exist, not its names. */
export const countyLibrary = (libraryId: string): Library => ({
  libraryId,
  name: `${libraryId}县图书馆`,
  countyName: `${libraryId}县`,
  cityCode: libraryId.slice(0, 4),
  cityName: `${libraryId.slice(0, 4)}市`,
});
