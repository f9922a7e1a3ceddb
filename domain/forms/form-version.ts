/**
 * A form version: `<year>.<n>`, compared numerically (so `<n>` has no leading zero: 2026.01
 * would be 2026.1 under another name); the highest is the active one. On its own so a function
 * that reads one from a request needs none of the definition meta-schema.
 */
export const FORM_VERSION_PATTERN = /^\d{4}\.(?:0|[1-9]\d{0,2})$/;
