import { describe, expect, it } from 'vitest';
import { checkHealth } from './health';

const json = (body: unknown, status = 200) =>
  Promise.resolve(
    new Response(JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json' },
    }),
  );

describe('checkHealth', () => {
  it('reports ok when the server answers 200 with status ok', async () => {
    expect(await checkHealth(() => json({ status: 'ok', version: '0.1.0' }))).toBe('ok');
  });

  it('reports ok when the server is degraded (Redis away, still serving)', async () => {
    expect(await checkHealth(() => json({ status: 'degraded', version: '0.1.0' }))).toBe('ok');
  });

  it('reports unavailable when the server answers with an error status', async () => {
    expect(await checkHealth(() => json({ status: 'error' }, 503))).toBe('unavailable');
  });

  it('reports unavailable when a 200 body does not say ok', async () => {
    expect(await checkHealth(() => json({ status: 'error' }))).toBe('unavailable');
    expect(await checkHealth(() => Promise.resolve(new Response('<html>')))).toBe('unavailable');
  });

  it('reports unavailable when the request fails', async () => {
    expect(await checkHealth(() => Promise.reject(new TypeError('offline')))).toBe('unavailable');
  });
});
