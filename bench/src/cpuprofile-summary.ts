/**
 * Where a server thread's CPU went, from the `.cpuprofile` files `node --cpu-prof` writes
 * (one per thread). Usage, after a profiled run (docs/BENCHMARKS.md):
 *
 *   node --import tsx src/cpuprofile-summary.ts <dir-or-file>... [--skip=<seconds>]
 *
 * Only the profiles of the two server threads are summarised (recognised by their entry
 * file). `--skip` leaves out the first seconds (startup: tsx, migrations, registration).
 * Each sample goes to the first category below that any frame of its stack matches.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

type CallFrame = { functionName: string; url: string; lineNumber: number };
type ProfileNode = { id: number; callFrame: CallFrame; children?: number[] };
type Profile = {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
};

const CATEGORIES: [string, (f: CallFrame) => boolean][] = [
  [
    'connection setup / teardown: upgrade, hello, join, leave (not measured)',
    (f) =>
      /handleUpgrade|completeUpgrade|handleHello|handleJoin|departRoom|^cleanup$|emitClose/.test(
        f.functionName,
      ) ||
      /modules\/(rooms|auth)\/|kysely|better-sqlite3|jose|fastify|helmet|_http_server/.test(f.url),
  ],
  ['ws send → socket write (writev)', (f) => f.url.endsWith('ws/lib/sender.js')],
  ['schema validation (zod, parseClientMessage)', (f) => f.functionName === 'parseClientMessage'],
  ['JSON.parse + plain-data scan (parsePlainJson)', (f) => f.functionName === 'parsePlainJson'],
  [
    'handler: dispatch, roster, bus (JSON.stringify), fan-out loop',
    (f) => /apps\/server\/src|packages\/protocol\/src|bench\/src\/baseline-server/.test(f.url),
  ],
  [
    'ws receive (socket read, frame parsing)',
    (f) => f.url.endsWith('ws/lib/receiver.js') || f.functionName === 'onStreamRead',
  ],
  ['garbage collector', (f) => f.functionName === '(garbage collector)'],
];

function summarise(file: string, skipSeconds: number): void {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const urls = p.nodes.map((n) => n.callFrame.url);
  const subject = urls.some((u) => u.endsWith('bench/src/parley-server.ts'))
    ? 'Parley server thread'
    : urls.some((u) => u.endsWith('bench/src/baseline-server.ts'))
      ? 'baseline server thread'
      : undefined;
  if (!subject) return;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const totals = new Map<string, number>();
  let busy = 0;
  let t = p.startTime;
  const from = p.startTime + skipSeconds * 1e6;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i] ?? 0;
    const dt = p.timeDeltas[i + 1] ?? 0;
    const leaf = byId.get(p.samples[i] ?? -1);
    if (t < from || !leaf || leaf.callFrame.functionName === '(idle)') continue;
    busy += dt;
    const stack: CallFrame[] = [];
    for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
      const node = byId.get(id);
      if (node) stack.push(node.callFrame);
    }
    const category =
      CATEGORIES.find(([, match]) => stack.some(match))?.[0] ??
      (process.env.DEBUG ? `other: ${leaf.callFrame.functionName} ${leaf.callFrame.url}` : 'other');
    totals.set(category, (totals.get(category) ?? 0) + dt);
  }
  console.log(`${subject}: ${(busy / 1000).toFixed(0)} ms busy (${path.basename(file)})`);
  for (const [name, us] of [...totals].sort((a, b) => b[1] - a[1])) {
    const pct = ((100 * us) / busy).toFixed(1).padStart(5);
    console.log(`  ${pct}%  ${(us / 1000).toFixed(0).padStart(6)} ms  ${name}`);
  }
}

const args = process.argv.slice(2);
const skip = Number(args.find((a) => a.startsWith('--skip='))?.slice(7) ?? 0);
for (const arg of args.filter((a) => !a.startsWith('--'))) {
  const files = statSync(arg).isDirectory()
    ? readdirSync(arg)
        .filter((f) => f.endsWith('.cpuprofile'))
        .map((f) => path.join(arg, f))
    : [arg];
  for (const file of files) summarise(file, skip);
}
