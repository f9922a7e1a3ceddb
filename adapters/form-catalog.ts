import { FormRegistry } from '../domain/forms/catalog.js';
import { catalogData } from '../forms/catalog.generated.js';

/** The forms this deployment knows, from the catalog built out of forms/*.yaml. */
export const formRegistry = FormRegistry.fromData(catalogData);
