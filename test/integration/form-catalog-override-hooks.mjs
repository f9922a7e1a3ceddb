/** Module hooks of form-catalog-override.mjs, which registers them with the catalog's URL. */
const GENERATED_CATALOG = /(^|\/)forms\/catalog\.generated\.[jt]s$/;

let catalogUrl;

export const initialize = (url) => {
  catalogUrl = url;
};

export const resolve = (specifier, context, nextResolve) =>
  GENERATED_CATALOG.test(specifier)
    ? { url: catalogUrl, shortCircuit: true }
    : nextResolve(specifier, context);
