/**
 * Where a profiled Parley process spent its CPU: `BENCH_PROFILE=<dir> npm run bench -- <w>`
 * makes every Parley subject write a `.cpuprofile` there; this prints, per profile, the
 * share of samples by owner (package or source folder, by self time), and the functions
 * with the most self and inclusive time.
 *
 *   npm run bench:top -- <dir-or-file>... [--skip=<seconds>] [--top=<n>]
 *
 * `--skip` leaves out the first seconds (start-up, seeding, warm-up). Idle samples are
 * dropped, so shares are of the time the process was busy.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

type CallFrame = { functionName: string; url: string; lineNumber: number };
type ProfileNode = { id: number; callFrame: CallFrame; children?: number[] };
type Profile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };

/** Which package or source folder a frame belongs to. */
export function owner(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg?.[1]) return pkg[1];
  if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/');
  const own = /(apps\/[^/]+\/(?:dist|src)\/(?:modules\/[^/]+|platform\/[^/]+|[^/]+))/.exec(url);
  if (own?.[1]) return own[1].replace(/\.js$|\.ts$/, '');
  return url.replace(/^file:\/\//, '');
}

function label(f: CallFrame): string {
  const where = f.url ? `${path.basename(f.url)}:${f.lineNumber + 1}` : '';
  return `${f.functionName || '(anonymous)'} ${where}`.trim();
}

export type Tally = {
  total: number;
  owners: Map<string, number>;
  self: Map<string, number>;
  inclusive: Map<string, number>;
};

export function tally(profile: Profile, skipUs: number): Tally {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const t: Tally = { total: 0, owners: new Map(), self: new Map(), inclusive: new Map() };
  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
  let at = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    at += dt;
    const node = byId.get(id);
    if (at < skipUs || !node || node.callFrame.functionName === '(idle)') return;
    t.total += dt;
    add(t.owners, owner(node.callFrame), dt);
    add(t.self, label(node.callFrame), dt);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur)?.callFrame;
      if (!f || f.functionName === '(root)') continue;
      const l = label(f);
      if (!seen.has(l)) {
        seen.add(l);
        add(t.inclusive, l, dt);
      }
    }
  });
  return t;
}

function print(title: string, m: Map<string, number>, total: number, top: number): void {
  console.log(`\n  ${title}`);
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`  ${((100 * v) / total).toFixed(1).padStart(5)} %  ${k}`);
  }
}

function main(): void {
  const args = process.argv.slice(2);
  const skip = Number(args.find((a) => a.startsWith('--skip='))?.slice(7) ?? 0);
  const top = Number(args.find((a) => a.startsWith('--top='))?.slice(6) ?? 25);
  const files = args
    .filter((a) => !a.startsWith('--'))
    .flatMap((p) =>
      statSync(p).isDirectory()
        ? readdirSync(p)
            .filter((f) => f.endsWith('.cpuprofile'))
            .map((f) => path.join(p, f))
        : [p],
    );
  if (files.length === 0) throw new Error('no .cpuprofile files given');
  for (const file of files) {
    const t = tally(JSON.parse(readFileSync(file, 'utf8')) as Profile, skip * 1e6);
    console.log(`\n${file}: ${(t.total / 1e6).toFixed(1)} s busy`);
    print('by owner (self time)', t.owners, t.total, top);
    print('functions, self time', t.self, t.total, top);
    print('functions, inclusive time', t.inclusive, t.total, top);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) main();
