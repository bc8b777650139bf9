// Keeps package-lock.json usable by `npm ci` when the registry in use lacks some
// platform-specific optional packages (this machine's mirror has only rollup's Linux
// builds). npm then omits them from the lock, and `npm ci` refuses the lock as out of
// sync. We record each missing optional dependency as an optional entry without a
// download address: npm ci accepts the lock and skips what it cannot fetch, exactly as
// it does for optional packages of other platforms. Idempotent; runs as `postinstall`.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const lockPath = fileURLToPath(new URL('../package-lock.json', import.meta.url));
let lock;
try {
  lock = JSON.parse(readFileSync(lockPath, 'utf8'));
} catch {
  process.exit(0); // no lock yet: nothing to complete
}
const pkgs = lock.packages ?? {};
let added = 0;
for (const [path, entry] of Object.entries(pkgs)) {
  for (const [name, range] of Object.entries(entry.optionalDependencies ?? {})) {
    // Node resolution: the package's own node_modules, then each ancestor's, then the root.
    const candidates = [];
    let base = path;
    while (true) {
      candidates.push(`${base ? `${base}/` : ''}node_modules/${name}`);
      const i = base.lastIndexOf('/node_modules/');
      if (base === '') break;
      base = i === -1 ? '' : base.slice(0, i);
    }
    if (candidates.some((c) => pkgs[c])) continue;
    const version = /^\d+\.\d+\.\d+(-[\w.]+)?$/.test(range) ? range : range.replace(/^[\^~=]/, '');
    pkgs[`node_modules/${name}`] = { version, ...(entry.dev ? { dev: true } : {}), optional: true };
    added++;
  }
}
if (added > 0) {
  // Same key order as npm (root first, then sorted), so a later `npm install` changes nothing.
  const sorted = Object.fromEntries(
    Object.entries(pkgs).sort(([a], [b]) =>
      a === '' ? -1 : b === '' ? 1 : a.localeCompare(b, 'en'),
    ),
  );
  lock.packages = sorted;
  writeFileSync(lockPath, JSON.stringify(lock, null, 2) + '\n');
  console.log(
    `complete-lock: recorded ${added} optional platform packages the registry did not provide`,
  );
}
