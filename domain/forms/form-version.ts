/**
 * A form version: `<year>.<n>`, compared numerically; the highest is the active one. On its own
 * so a function that reads one from a request needs none of the definition meta-schema.
 */
export const FORM_VERSION_PATTERN = /^\d{4}\.\d{1,3}$/;
