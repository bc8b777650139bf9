import { parseArgs } from 'node:util';
import { Email, Password } from '@parley/protocol';
import { systemClock } from '../platform/clock.js';
import { ConfigError, loadConfig } from '../platform/config.js';
import { openDatabase } from '../platform/db/database.js';
import { createAccountIn } from '../modules/auth/index.js';
import { createUsersRepo, ensureAdmin } from '../modules/users/index.js';

/** `npm run admin:create -- --email a@b.c --password '…' [--name 'Ada']` */
async function run(): Promise<number> {
  const { values } = parseArgs({
    options: { email: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' } },
  });
  const email = Email.safeParse(values.email ?? '');
  const password = Password.safeParse(values.password ?? '');
  if (!email.success || !password.success) {
    console.error('Usage: npm run admin:create -- --email EMAIL --password PASSWORD [--name NAME]');
    if (!email.success)
      console.error('  --email: ' + (email.error.issues[0]?.message ?? 'invalid'));
    if (!password.success)
      console.error('  --password: ' + (password.error.issues[0]?.message ?? 'invalid'));
    return 2;
  }
  const config = { ...loadConfig(), logLevel: 'silent' };
  const db = openDatabase(config.database);
  try {
    await db.migrate();
    // Only the accounts: building the whole app would start a socket hub and its
    // live-state upkeep against a database a running server is using.
    const users = createUsersRepo(db.db);
    const result = await ensureAdmin(
      {
        users,
        createAccount: (input) =>
          createAccountIn({ users, scryptCost: config.scryptCost, clock: systemClock }, input),
        scryptCost: config.scryptCost,
      },
      { email: email.data, password: password.data, displayName: values.name, resetPassword: true },
    );
    const said = {
      created: 'created',
      promoted: 'promoted to admin (password reset)',
      exists: 'already an admin (password reset)',
    };
    console.log(`Admin ${email.data}: ${said[result]}.`);
    return 0;
  } finally {
    await db.close();
  }
}

run().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof ConfigError ? err.message : `admin:create failed: ${String(err)}`);
    process.exit(1);
  },
);
