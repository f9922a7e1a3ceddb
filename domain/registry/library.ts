import * as z from 'zod/mini';
import { canReadLibrary, LibraryId, type Principal } from '../auth/principal.js';

export const Library = z.object({
  libraryId: LibraryId,
  name: z.string().check(z.minLength(1)),
  countyName: z.string().check(z.minLength(1)),
  cityCode: z.string().check(z.regex(/^\d{4}$/)),
  cityName: z.string().check(z.minLength(1)),
});
export type Library = z.infer<typeof Library>;

/** Port: where the registry of a province's libraries is kept. */
export interface LibraryStore {
  listLibraries(): Promise<Library[]>;
  /** Undefined when the registry has no library with this id. */
  getLibrary(libraryId: string): Promise<Library | undefined>;
  putLibraries(libraries: readonly Library[]): Promise<void>;
}

export const visibleLibraries = (principal: Principal, libraries: readonly Library[]): Library[] =>
  libraries.filter((library) => canReadLibrary(principal, library.libraryId));
