import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './platform/config.js';
import { openDatabase } from './platform/db/database.js';
import { createUsersRepo, ensureAdmin } from './modules/users/index.js';
import { startMetricsServer } from './modules/ops/index.js';
import type { MetricsServer } from './modules/ops/index.js';

const SHUTDOWN_GRACE_MS = 10_000;

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }

  const db = openDatabase(config.database);
  await db.migrate();
  const parley = await buildApp(config, { db });
  const { app } = parley;

  if (config.admin) {
    const result = await ensureAdmin(
      {
        users: createUsersRepo(db.db),
        createAccount: (input) => parley.services.auth.createAccount(input),
        scryptCost: config.scryptCost,
      },
      { ...config.admin, resetPassword: false },
    );
    app.log.info({ email: config.admin.email, result }, 'admin account from ADMIN_EMAIL');
  }

  let metricsServer: MetricsServer | undefined;
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      app.log.warn('second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    // Stop accepting, let in-flight requests finish, then close the database.
    const force = setTimeout(() => {
      app.log.error('graceful shutdown timed out');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    Promise.all([metricsServer?.close(), parley.close()]).then(
      () => process.exit(0),
      (err: unknown) => {
        app.log.error({ err }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  await app.listen({ port: config.port, host: config.host });
  if (config.metrics.port !== undefined) {
    metricsServer = await startMetricsServer(parley, config);
    app.log.info(
      { host: config.metrics.host, port: metricsServer.port },
      'metrics on their own port (METRICS_PORT); the main port has none',
    );
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const scheme = config.tls ? 'https' : 'http';
  const shown = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const url = config.publicUrl ?? `${scheme}://${shown}:${port}`;
  const storage = [
    config.database.kind === 'sqlite' ? `SQLite ${config.database.file}` : 'PostgreSQL',
    config.redis ? 'live state in Redis' : 'live state in memory',
  ].join(', ');
  // Printed plainly (not only as a log line) so `npm start` shows where to go.
  console.log(`\nParley is running at ${url}  (storage: ${storage})\n`);
}

main().catch((err: unknown) => {
  console.error('Parley failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
