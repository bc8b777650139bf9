/** Where logging in and signing up lead. */

/** Pages nobody means to come back to after logging in: they lead to "My rooms" instead. */
const NO_DESTINATION = new Set(['landing', 'login', 'register', 'ended', 'account-disabled']);

/** A path inside this app: `?redirect=https://evil.example` (or `//`, `/\`) sends nobody away. */
function isAppPath(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.startsWith('/') &&
    !value.startsWith('//') &&
    !value.startsWith('/\\')
  );
}

/**
 * After log-in or sign-up: the page that sent the person here (`?redirect=`, e.g. the
 * meeting they were about to join), else their rooms — never the marketing page.
 */
export function afterAuthTarget(redirect: unknown): string {
  if (!isAppPath(redirect)) return '/rooms';
  const path = redirect.split(/[?#]/, 1)[0];
  return path === '/' || path === '/login' || path === '/register' ? '/rooms' : redirect;
}

/**
 * The `redirect` a "Log in" / "Sign up" link carries from the page it is on: that page, so
 * the person comes back to it — except from pages that are no destination (the landing
 * page, the auth pages themselves, "meeting ended"), which leave it out.
 */
export function authRedirectFrom(route: {
  name?: string | symbol | null | undefined;
  fullPath: string;
}): string | undefined {
  return typeof route.name === 'string' && NO_DESTINATION.has(route.name)
    ? undefined
    : route.fullPath;
}
