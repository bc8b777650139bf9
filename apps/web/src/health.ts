export type HealthState = 'checking' | 'ok' | 'unavailable';

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

const HEALTH_URL = '/api/health';

/**
 * Asks the server whether it is up. Any failure (network error, timeout, non-2xx status or an
 * unexpected body) counts as unavailable: the page only needs a yes or no.
 */
export async function checkHealth(
  fetchFn: Fetch = (input, init) => fetch(input, init),
  timeoutMs = 5_000,
): Promise<Exclude<HealthState, 'checking'>> {
  try {
    const response = await fetchFn(HEALTH_URL, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) return 'unavailable';
    const body: unknown = await response.json();
    return isHealthy(body) ? 'ok' : 'unavailable';
  } catch {
    return 'unavailable';
  }
}

function isHealthy(body: unknown): boolean {
  // `degraded`: Redis is away, but this server still answers; calls go on.
  return (
    typeof body === 'object' &&
    body !== null &&
    'status' in body &&
    (body.status === 'ok' || body.status === 'degraded')
  );
}
