import { Library, type LibraryStore } from './library.js';

/** The registry in memory, for the domain's tests: ordered and upserted by id, as the table does. */
export class InMemoryLibraryStore implements LibraryStore {
  private readonly libraries = new Map<string, Library>();

  constructor(libraries: readonly Library[] = []) {
    for (const library of libraries) this.libraries.set(library.libraryId, Library.parse(library));
  }

  async listLibraries(): Promise<Library[]> {
    return [...this.libraries.keys()].sort().flatMap((libraryId) => {
      const library = this.libraries.get(libraryId);
      return library ? [structuredClone(library)] : [];
    });
  }

  async getLibrary(libraryId: string): Promise<Library | undefined> {
    const library = this.libraries.get(libraryId);
    return library ? structuredClone(library) : undefined;
  }

  async putLibraries(libraries: readonly Library[]): Promise<void> {
    for (const library of libraries) this.libraries.set(library.libraryId, Library.parse(library));
  }
}
