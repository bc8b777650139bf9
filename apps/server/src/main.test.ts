import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startServer } from './test/process.js';

// Each test starts a process that compiles the server from source with tsx: seconds when
// idle, past the default 20 s when the other core runs browsers. The limit only stops a hang.
describe('the server process', { timeout: 90_000 }, () => {
  it('starts on embedded defaults, serves health, and exits 0 on SIGTERM', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'parley-main-'));
    const s = startServer({ DATA_DIR: dataDir });
    const url = await s.url;
    const res = await fetch(`${url}/api/health`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { checks: { db: { status: string } } }).checks.db.status).toBe(
      'ok',
    );
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    expect(s.output()).toContain(`SQLite ${path.join(dataDir, 'parley.db')}`);
  });

  it('refuses to start in production without JWT_SECRET and says why', async () => {
    const s = startServer({
      NODE_ENV: 'production',
      DATA_DIR: mkdtempSync(path.join(tmpdir(), 'parley-main-')),
    });
    expect(await s.exited).toBe(1);
    expect(s.output()).toMatch(/JWT_SECRET is required/);
    expect(s.output()).not.toMatch(/\n\s+at /); // a message, not a stack trace
  });

  it('creates the first admin from ADMIN_EMAIL/ADMIN_PASSWORD', async () => {
    const s = startServer({
      DATA_DIR: mkdtempSync(path.join(tmpdir(), 'parley-main-')),
      ADMIN_EMAIL: 'root@example.org',
      ADMIN_PASSWORD: 'admin password 1',
    });
    const url = await s.url;
    const login = await fetch(`${url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'root@example.org', password: 'admin password 1' }),
    });
    expect(login.status).toBe(200);
    expect(((await login.json()) as { user: { role: string } }).user.role).toBe('admin');
    s.child.kill('SIGINT');
    expect(await s.exited).toBe(0);
    // A real process compiled from source: slow on a busy machine, never wrong.
  }, 60_000);
});
