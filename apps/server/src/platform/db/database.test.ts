import { chmodSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openDatabase } from './database.js';

const modeOf = (file: string) => statSync(file).mode & 0o777;

/** Opens, migrates and writes, so SQLite has made its -wal and -shm files. */
async function openAndWrite(file: string, folderMode = 0o700): Promise<void> {
  const handle = openDatabase({ kind: 'sqlite', file });
  try {
    await handle.migrate();
    await sql`create table if not exists probe (x integer)`.execute(handle.db);
    await sql`insert into probe (x) values (1)`.execute(handle.db);
    // Still open: the -wal and -shm files exist now.
    for (const f of [file, `${file}-wal`, `${file}-shm`]) expect(modeOf(f)).toBe(0o600);
    expect(modeOf(path.dirname(file))).toBe(folderMode);
  } finally {
    await handle.close();
  }
}

describe('SQLite settings', () => {
  it('WAL, commits without waiting for fsync (synchronous NORMAL), foreign keys on', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'parley-db-'));
    const handle = openDatabase({ kind: 'sqlite', file: path.join(dir, 'parley.db') });
    try {
      const one = async (pragma: string) =>
        Object.values((await sql.raw(`pragma ${pragma}`).execute(handle.db)).rows[0] as object)[0];
      expect(await one('journal_mode')).toBe('wal');
      expect(await one('synchronous')).toBe(1); // 0 OFF, 1 NORMAL, 2 FULL
      expect(await one('foreign_keys')).toBe(1);
    } finally {
      await handle.close();
    }
  });
});

// The database holds password hashes, refresh-token hashes and every room: as private as
// the jwt-secret file next to it, whatever the process umask says.
describe('the SQLite files are private to the server user', () => {
  it('a new data folder is 0700 and the database, its -wal and -shm are 0600', async () => {
    const old = process.umask(0o022);
    try {
      const dir = path.join(mkdtempSync(path.join(tmpdir(), 'parley-db-')), 'data');
      await openAndWrite(path.join(dir, 'parley.db'));
    } finally {
      process.umask(old);
    }
  });

  it('existing world-readable files are made private on start; an existing folder is left alone', async () => {
    const old = process.umask(0o022);
    try {
      const dir = path.join(mkdtempSync(path.join(tmpdir(), 'parley-db-')), 'data');
      mkdirSync(dir, { mode: 0o755 });
      const file = path.join(dir, 'parley.db');
      // A database left by an older version (0644), WAL and shared memory included.
      await (async () => {
        const first = openDatabase({ kind: 'sqlite', file });
        await first.migrate();
        await first.close();
      })();
      for (const f of [file, `${file}-wal`, `${file}-shm`]) {
        writeFileSync(f, '', { flag: 'a' });
        chmodSync(f, 0o644);
      }
      chmodSync(dir, 0o755);
      // The folder may be the working directory or $HOME (DATABASE_URL=./parley.db): not ours.
      await openAndWrite(file, 0o755);
    } finally {
      process.umask(old);
    }
  });
});
