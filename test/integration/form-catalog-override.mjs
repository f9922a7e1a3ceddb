/**
 * Preloaded into a local stack (`NODE_OPTIONS=--import …`) by a test that deploys another form
 * catalog over the same data, as deploying a new form version does: every import of
 * `forms/catalog.generated` in that process loads FORM_CATALOG_MODULE instead, a catalog that
 * `npm run forms -- build <dir>` wrote elsewhere. Plain JavaScript: it loads before tsx.
 */
import { register } from 'node:module';
import { pathToFileURL } from 'node:url';

const catalogModule = process.env.FORM_CATALOG_MODULE;
if (!catalogModule) throw new Error('FORM_CATALOG_MODULE names no catalog module');
register('./form-catalog-override-hooks.mjs', import.meta.url, {
  data: pathToFileURL(catalogModule).href,
});
