import { useI18n } from 'vue-i18n';
import { ApiError } from '../api/errors';

/**
 * The i18n key for an error: `errors.<CODE>` when the locale has one, else a generic message.
 * The server's English `message` is never shown, so every locale reads in its own language.
 */
export function errorKey(err: unknown, exists: (key: string) => boolean): string {
  if (err instanceof ApiError) {
    const key = `errors.${err.code}`;
    if (exists(key)) return key;
  }
  return 'errors.generic';
}

/** `(err) => translated message`, for templates. */
export function useErrorText() {
  const i18n = useI18n();
  return (err: unknown): string => i18n.t(errorKey(err, (key) => i18n.te(key, 'en')));
}

/**
 * Translated messages for the fields a server's VALIDATION_FAILED named. Each form says which
 * key explains each of its fields (the server's own messages are English).
 */
export function fieldErrorsFrom(
  err: unknown,
  keys: Record<string, string>,
): Partial<Record<string, string>> {
  if (!(err instanceof ApiError)) return {};
  const out: Partial<Record<string, string>> = {};
  for (const field of Object.keys(err.fields)) {
    const key = keys[field];
    if (key) out[field] = key;
  }
  return out;
}
