import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { turnCredential } from './credentials.js';

// Parley's TURN credentials against a real coturn (Debian's `turnserver`), and DESIGN.md §8's
// CI check: coturn started with the shipped deploy/turnserver.conf refuses to relay to
// loopback and private addresses, including IPv4-mapped ::ffff:127.0.0.1 (CVE-2026-27624).
//
// Signals (coturn 4.6.1):
// - turnutils_uclient -v -c -n 1 … exits 0 after one datagram went client → relay → peer
//   (turnutils_peer echoes it) → relay → client: "Received relay addr: …" and
//   "start_mclient: tot_send_msgs=1, tot_recv_msgs=1".
// - A refused credential: coturn answers every ALLOCATE with 401, the client gives up with
//   "ERROR: Cannot complete Allocation" and exits 255; coturn (-v) logs
//   "user <name>: incoming packet message processed, error 401: Unauthorized".
// - A refused peer: the allocation succeeds, then CHANNEL_BIND / CREATE_PERMISSION gets
//   "error 403 (Forbidden IP)" and the client exits 255.

const SHIPPED_CONF = path.resolve(import.meta.dirname, '../../../../../deploy/turnserver.conf');
const TOOLS = ['turnserver', 'turnutils_uclient', 'turnutils_peer', 'turnutils_stunclient'];
const CI = !!process.env.CI && !['0', 'false'].includes(process.env.CI.toLowerCase());

function onPath(cmd: string) {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => {
    try {
      accessSync(path.join(dir, cmd), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** An IPv6 relay bound to ::ffff:127.0.0.1 reaches a peer on 127.0.0.1 if coturn lets it. */
async function canBindUdp6(address: string) {
  const s = dgram.createSocket({ type: 'udp6' });
  try {
    return await new Promise<boolean>((resolve) => {
      s.once('error', () => resolve(false));
      s.bind(0, address, () => resolve(true));
    });
  } finally {
    s.close();
  }
}

const missing = TOOLS.filter((t) => !onPath(t));
const mappedRelay = missing.length === 0 && (await canBindUdp6('::ffff:127.0.0.1'));
let skipReason = '';
if (missing.length) {
  skipReason = `coturn is required: apt-get install -y coturn (not on PATH: ${missing.join(', ')})`;
} else if (!mappedRelay) {
  skipReason = 'cannot bind a UDP/IPv6 socket to ::ffff:127.0.0.1, needed for the IPv6 relay';
}
if (skipReason) {
  if (CI) {
    it('has what the coturn suites need', () => {
      throw new Error(skipReason);
    });
  } else {
    console.warn(`\n!!! SKIPPING the coturn suites (${import.meta.filename}): ${skipReason}\n`);
  }
}

// --- processes --------------------------------------------------------------------------

type Proc = { child: ChildProcess; output: () => string; closed: Promise<number | null> };

const live = new Set<ChildProcess>();
const tempDirs = new Set<string>();
// Last resort if the worker exits without running afterAll (e.g. Ctrl-C).
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir() {
  const dir = mkdtempSync(path.join(tmpdir(), 'parley-coturn-'));
  tempDirs.add(dir);
  return dir;
}

function launch(cmd: string, args: string[]): Proc {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let out = '';
  const collect = (d: Buffer) => (out += d.toString());
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const closed = new Promise<number | null>((resolve) => {
    child.once('error', (err) => {
      out += `\n[spawn error] ${err.message}`;
      live.delete(child);
      resolve(null);
    });
    child.once('close', (code) => {
      live.delete(child);
      resolve(code);
    });
  });
  return { child, output: () => out, closed };
}

function running(p: Proc) {
  return p.child.pid !== undefined && p.child.exitCode === null && p.child.signalCode === null;
}

/** SIGTERM, then SIGKILL after 3 s. */
async function stop(p: Proc | undefined) {
  if (!p) return;
  if (running(p)) {
    p.child.kill('SIGTERM');
    const killer = setTimeout(() => p.child.kill('SIGKILL'), 3000);
    await p.closed;
    clearTimeout(killer);
  }
  await p.closed;
}

/** Runs a command to completion (SIGKILL after timeoutMs): exit code and stdout+stderr. */
async function run(cmd: string, args: string[], timeoutMs: number) {
  const p = launch(cmd, args);
  const killer = setTimeout(() => p.child.kill('SIGKILL'), timeoutMs);
  const code = await p.closed;
  clearTimeout(killer);
  return { code, out: p.output() };
}

/** A port free for both UDP and TCP on 127.0.0.1: bind port 0, check TCP, release both. */
async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const udp = dgram.createSocket('udp4');
    const port = await new Promise<number>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(0, '127.0.0.1', () => resolve(udp.address().port));
    });
    const tcpFree = await new Promise<boolean>((resolve) => {
      const srv = net.createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
    await new Promise<void>((resolve) => udp.close(() => resolve()));
    if (tcpFree) return port;
  }
  throw new Error('no port free for both UDP and TCP on 127.0.0.1');
}

async function echoes(port: number) {
  const s = dgram.createSocket('udp4');
  s.on('error', () => undefined);
  try {
    return await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 100);
      s.once('message', () => {
        clearTimeout(timer);
        resolve(true);
      });
      s.send('ping', port, '127.0.0.1');
    });
  } finally {
    s.close();
  }
}

/** turnutils_peer: a UDP echo server on 127.0.0.1, ready once it echoes a datagram. */
async function startPeer() {
  const port = await freePort();
  const proc = launch('turnutils_peer', ['-L', '127.0.0.1', '-p', String(port)]);
  for (let i = 0; i < 30 && running(proc); i++) {
    if (await echoes(port)) return { proc, port };
  }
  await stop(proc);
  throw new Error(`turnutils_peer did not echo on 127.0.0.1:${port}\n${proc.output()}`);
}

/** Polls with turnutils_stunclient (which hangs without an answer: 1 s per attempt). */
async function answersStun(proc: Proc, port: number) {
  const deadline = Date.now() + 8000;
  while (Date.now() < deadline && running(proc)) {
    const r = await run('turnutils_stunclient', ['-p', String(port), '127.0.0.1'], 1000);
    if (r.code === 0 && r.out.includes('UDP reflexive addr')) return true;
    await sleep(100);
  }
  return false;
}

/** turnserver on 127.0.0.1 and a random port; files (pid, SQLite db) in `dir`. */
async function startCoturn(dir: string, args: (port: number) => string[]) {
  let last = '';
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await freePort();
    const proc = launch('turnserver', [
      ...args(port),
      `--pidfile=${path.join(dir, `turnserver-${port}.pid`)}`,
      // Never read or create /var/lib/turn/turndb (it may hold users or secrets).
      `--db=${path.join(dir, `turndb-${port}`)}`,
    ]);
    if (await answersStun(proc, port)) return { proc, port };
    await stop(proc);
    last = proc.output();
  }
  throw new Error(`turnserver never answered STUN on 127.0.0.1 (3 attempts); last log:\n${last}`);
}

// --- TURN client ------------------------------------------------------------------------

/**
 * One allocation, one datagram to the peer, then exit: -c (no RTCP allocation), -n 1 (one
 * message), -v (prints "Received relay addr"); -s uses CREATE_PERMISSION + Send indications
 * instead of CHANNEL_BIND. The client asks for an IPv6 relay when the peer is IPv6.
 */
function uclient(
  port: number,
  cred: { username: string; credential: string },
  peer: string,
  peerPort: number,
  method: 'channel-bind' | 'send' = 'channel-bind',
) {
  const args = [
    '-v',
    '-c',
    '-n',
    '1',
    '-p',
    String(port),
    '-u',
    cred.username,
    '-w',
    cred.credential,
  ];
  args.push('-e', peer, '-r', String(peerPort));
  if (method === 'send') args.push('-s');
  return run('turnutils_uclient', [...args, '127.0.0.1'], 15_000);
}

/** coturn's (verbose) log lines about one username, once `needle` shows up (≤ 3 s). */
async function linesAbout(server: Proc, username: string, needle: string) {
  const mine = () =>
    server
      .output()
      .split('\n')
      .filter((l) => l.includes(`<${username}>`))
      .join('\n');
  const deadline = Date.now() + 3000;
  while (!mine().includes(needle) && Date.now() < deadline) await sleep(50);
  return mine();
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
const uniqueUser = (label: string) => `${label}-${randomBytes(4).toString('hex')}`;
const REFUSED_ALLOCATION = 'ERROR: Cannot complete Allocation';
const UNAUTHORIZED = 'incoming packet message processed, error 401: Unauthorized';
const ALLOCATED = 'incoming packet ALLOCATE processed, success';
const RELAYED = 'start_mclient: tot_send_msgs=1, tot_recv_msgs=1';

// --- a. test-mode coturn: Parley's credentials ------------------------------------------

describe.skipIf(!!skipReason)('coturn (test mode) with Parley’s shared-secret credentials', () => {
  const secret = randomBytes(24).toString('hex');
  let dir = '';
  let peer: Awaited<ReturnType<typeof startPeer>> | undefined;
  let turn: Awaited<ReturnType<typeof startCoturn>> | undefined;

  beforeAll(async () => {
    dir = tempDir();
    peer = await startPeer();
    turn = await startCoturn(dir, (port) => [
      '-n', // no config file
      '--use-auth-secret',
      `--static-auth-secret=${secret}`,
      '--realm=parley.test',
      '--listening-ip=127.0.0.1',
      `--listening-port=${port}`,
      '--relay-ip=127.0.0.1',
      '--relay-ip=::ffff:127.0.0.1',
      '--allow-loopback-peers', // test only: the peer is on 127.0.0.1
      '--no-cli',
      '--no-tls',
      '--no-dtls',
      '--log-file=stdout',
      '--simple-log',
      '--verbose',
    ]);
  });

  afterAll(async () => {
    await Promise.all([stop(turn?.proc), stop(peer?.proc)]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.concurrent(
    'relays a datagram for turnCredential() with a future expiry',
    async ({ expect }) => {
      const cred = turnCredential(secret, uniqueUser('valid'), nowSeconds() + 3600);
      const r = await uclient(turn!.port, cred, '127.0.0.1', peer!.port);
      expect(r.code, r.out).toBe(0);
      expect(r.out).toMatch(/IPv4\. Received relay addr: 127\.0\.0\.1:\d+/);
      expect(r.out).toContain(RELAYED);
      expect(await linesAbout(turn!.proc, cred.username, ALLOCATED)).toContain(ALLOCATED);
    },
  );

  it.concurrent(
    'relays to ::ffff:127.0.0.1 when loopback peers are allowed (so the shipped-config check below can fail)',
    async ({ expect }) => {
      const cred = turnCredential(secret, uniqueUser('mapped'), nowSeconds() + 3600);
      const r = await uclient(turn!.port, cred, '::ffff:127.0.0.1', peer!.port);
      expect(r.code, r.out).toBe(0);
      expect(r.out).toMatch(/IPv6\. Received relay addr: ::ffff:127\.0\.0\.1:\d+/);
      expect(r.out).toContain(RELAYED);
    },
  );

  it.concurrent.for([
    {
      name: 'that has expired',
      make: () => turnCredential(secret, uniqueUser('expired'), nowSeconds() - 60),
    },
    {
      name: 'signed with another secret',
      make: () => turnCredential(`${secret}-other`, uniqueUser('other'), nowSeconds() + 3600),
    },
    {
      name: 'made up (arbitrary username and password)',
      make: () => ({ username: uniqueUser('mallory'), credential: 'letmein' }),
    },
  ])('refuses a credential $name', async ({ make }, { expect }) => {
    const cred = make();
    const r = await uclient(turn!.port, cred, '127.0.0.1', peer!.port);
    expect(r.code, r.out).toBe(255);
    expect(r.out).toContain(REFUSED_ALLOCATION);
    expect(r.out).not.toMatch(/Received relay addr/);
    const log = await linesAbout(turn!.proc, cred.username, UNAUTHORIZED);
    expect(log).toContain(UNAUTHORIZED);
    expect(log).not.toContain(ALLOCATED);
  });
});

// --- b. the shipped deploy/turnserver.conf ----------------------------------------------

describe.skipIf(!!skipReason)('coturn with the shipped deploy/turnserver.conf', () => {
  const secret = randomBytes(24).toString('hex');
  let dir = '';
  let peer: Awaited<ReturnType<typeof startPeer>> | undefined;
  let turn: Awaited<ReturnType<typeof startCoturn>> | undefined;

  beforeAll(async () => {
    dir = tempDir();
    peer = await startPeer();
    // Only what a test must override; never --allow-loopback-peers. The IPv6 relay on
    // ::ffff:127.0.0.1 really reaches the peer on 127.0.0.1 if coturn permits it (it does
    // without the config's IPv4-mapped denied-peer-ip range: CVE-2026-27624).
    turn = await startCoturn(dir, (port) => [
      '-c',
      SHIPPED_CONF,
      '--listening-ip=127.0.0.1',
      `--listening-port=${port}`,
      '--relay-ip=127.0.0.1',
      '--relay-ip=::ffff:127.0.0.1',
      `--static-auth-secret=${secret}`,
      '--no-tls',
      '--no-dtls',
      '--log-file=stdout',
      '--verbose', // per-request lines ("error 403: Forbidden IP") to assert on
    ]);
  });

  afterAll(async () => {
    await Promise.all([stop(turn?.proc), stop(peer?.proc)]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('has no active secret of its own and never allow-loopback-peers', ({ expect }) => {
    const active = readFileSync(SHIPPED_CONF, 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    // coturn accepts every static-auth-secret it is given: a placeholder in the file would
    // stay valid next to a secret given on the command line.
    expect(active.filter((l) => /^static-auth-secret\b/.test(l))).toEqual([]);
    expect(active.filter((l) => /allow-loopback-peers/.test(l))).toEqual([]);
    expect(active).toEqual(expect.arrayContaining(['use-auth-secret', 'no-cli', 'no-rfc5780']));
  });

  const peers = [
    { peer: '127.0.0.1', why: 'loopback' },
    { peer: '::ffff:127.0.0.1', why: 'IPv4-mapped loopback, CVE-2026-27624' },
    { peer: '::1', why: 'IPv6 loopback' },
    { peer: '10.1.2.3', why: 'RFC 1918' },
    { peer: '192.168.1.1', why: 'RFC 1918' },
    { peer: '100.64.0.1', why: 'CGNAT' },
    { peer: '169.254.169.254', why: 'link-local, cloud metadata' },
    { peer: '::ffff:10.1.2.3', why: 'IPv4-mapped RFC 1918' },
    { peer: '::ffff:169.254.169.254', why: 'IPv4-mapped link-local' },
    { peer: '::7f00:1', why: 'IPv4-compatible loopback' },
    { peer: '64:ff9b::a9fe:a9fe', why: 'NAT64 of 169.254.169.254' },
    { peer: '2002:7f00:1::1', why: '6to4 of 127.0.0.1' },
    { peer: 'fd00:ec2::254', why: 'ULA, cloud metadata' },
    { peer: 'fe80::1', why: 'IPv6 link-local' },
  ];
  const cases = peers.flatMap((p) => [
    { ...p, method: 'channel-bind' as const },
    { ...p, method: 'send' as const },
  ]);

  it.concurrent.for(cases)(
    'refuses to relay to $peer ($why) via $method',
    async ({ peer: address, method }, { expect }) => {
      const cred = turnCredential(secret, uniqueUser('peer'), nowSeconds() + 3600);
      const r = await uclient(turn!.port, cred, address, peer!.port, method);
      expect(r.code, r.out).toBe(255);
      // The credential is good (allocation succeeded); the peer address is what is refused.
      expect(r.out).toMatch(/Received relay addr/);
      const [clientLine, request] =
        method === 'send'
          ? ['create permission error 403 (Forbidden IP)', 'CREATE_PERMISSION']
          : ['channel bind: error 403 (Forbidden IP)', 'CHANNEL_BIND'];
      expect(r.out).toContain(clientLine);
      expect(r.out).not.toContain('tot_recv_msgs=1');
      const refused = `incoming packet ${request} processed, error 403: Forbidden IP`;
      expect(await linesAbout(turn!.proc, cred.username, refused)).toContain(refused);
      if (address === '::ffff:127.0.0.1') {
        // Refused by the config's IPv4-mapped range, not by coturn's own loopback check.
        expect(turn!.proc.output()).toMatch(/A peer IP ::ffff:127\.0\.0\.1 denied in the range/);
      }
    },
  );
});
