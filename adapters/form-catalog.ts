import { FormRegistry } from '../domain/forms/catalog.js';
import { catalogData } from '../forms/catalog.generated.js';

/**
 * The forms this deployment knows, from the catalog `npm run forms -- build` checked and wrote
 * out of forms/*.yaml (typed, so `tsc` checks it too; not parsed again at each cold start).
 */
export const formRegistry = new FormRegistry(catalogData);
