/** `text` as a regular-expression source that matches exactly it (RegExp.escape is Node 24+). */
export const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
