/**
 * Why a camera or microphone could not be opened, in terms a person can act on:
 * - denied: the person or the browser's settings blocked it
 * - not-found: no such device (or the chosen one is gone)
 * - in-use: the device exists but another app holds it or the OS refused it
 * - unsupported: no getUserMedia here (old browser, or a page not served over HTTPS)
 * - unknown: anything else
 */
export type MediaProblem = 'denied' | 'not-found' | 'in-use' | 'unsupported' | 'unknown';

export function classifyMediaError(err: unknown): MediaProblem {
  const name = err instanceof Error || err instanceof DOMException ? err.name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'PermissionDeniedError':
    case 'SecurityError':
      return 'denied';
    case 'NotFoundError':
    case 'DevicesNotFoundError':
    case 'OverconstrainedError':
      return 'not-found';
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return 'in-use';
    case 'TypeError':
      return 'unsupported';
    default:
      return 'unknown';
  }
}
