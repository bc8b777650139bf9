/**
 * A display name as search compares it: NFKC (so full-width and composed letters match
 * what people type) and lower-cased by JavaScript, which folds every script alike.
 * Stored in `users.search_name` at sign-up and applied to each query.
 */
export function searchKey(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

/** `%`, `_` and the escape itself match literally in a `like … escape '\'` pattern. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
