/**
 * Limits of what people type, shared by the request schemas (commands.ts) and the web app's
 * text boxes; plain constants, so the browser bundle takes none of the schemas with them.
 */

/** The longest explanation, comment or message a request may carry, in characters. */
export const MAX_COMMENT_LENGTH = 2_000;
