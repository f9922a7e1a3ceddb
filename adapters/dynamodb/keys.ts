/** Item key layout of the single table (see docs/architecture.md, "Storage"). */
export const registryKey = (libraryId: string) => ({ PK: 'REGISTRY', SK: `LIBRARY#${libraryId}` });
export const REGISTRY_PARTITION = 'REGISTRY';
export const HEALTH_KEY = { PK: 'HEALTH', SK: 'HEALTH' };
