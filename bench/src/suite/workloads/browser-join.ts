/**
 * Chromium: the Join click on the pre-join page → the first remote video frame on the
 * joiner's page, against two bare RTCPeerConnections in one page (the floor WebRTC itself
 * sets on loopback). Both are timed inside the page with performance.now(), so the driver's
 * own round trips (Playwright's click, its polling) are not counted.
 *
 * parley: the production build (server on the server core, SQLite in a temp dir) serving the
 * built web app. A signed-in host waits in an open room; each run is a fresh browser context
 * (a person opening the link), signed in as the same joiner, on the pre-join page with its
 * camera preview up; the time runs from the click to the first frame the host's camera puts
 * on the joiner's remote tile (requestVideoFrameCallback).
 *
 * bare-pc: one page, a fake camera already open (the pre-join preview has it too), then two
 * RTCPeerConnections with no ICE servers exchange offer, answer and candidates in the page;
 * the time runs from creating them to the first frame of the answerer's camera on a <video>
 * of the offerer (Parley's newcomer offers and the person already there answers).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { processCpuMs, spawnSubject } from '../proc.js';
import type { Subject } from '../proc.js';
import type { RoundContext, Sample, SummaryRow, Workload } from '../types.js';

type S = 'parley' | 'bare-pc';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const CHROMIUM = process.env.BENCH_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
  // Chromium 156 opens its omnibox popups (two chrome:// WebUI pages) in a renderer of their
  // own for every new window, here every browser context: ~1.5 s of CPU each, which ran
  // beside the page under test on these two cores. A headless browser has no omnibox.
  '--disable-features=WebUIOmniboxPopup,WebUIOmniboxAimPopup',
];
const RUN_TIMEOUT_MS = 20_000;
const REMOTE_VIDEO = '[data-testid="tile"]:not([data-self]) [data-testid="remote-video"]';
const PASSWORD = 'correct horse 42';

// Ten joins per subject and round keep warm-up + 3 rounds inside the runner's 180 s budget.
const runs = (quick: boolean) => (quick ? 4 : 10);

function percentile(values: number[], p: number): number {
  const xs = [...values].sort((a, b) => a - b);
  if (xs.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * xs.length);
  return xs[Math.min(xs.length, Math.max(1, rank)) - 1] ?? Number.NaN;
}

function summarizeRuns(ms: number[]): Sample {
  return {
    p50Ms: percentile(ms, 50),
    p95Ms: percentile(ms, 95),
    minMs: Math.min(...ms),
    runs: ms.length,
  };
}

const launch = () => chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });

// ---- parley ----

type Session = { user: { id: string; displayName: string }; tokens: { accessToken: string } };

async function api<T>(base: string, route: string, body: unknown, token?: string): Promise<T> {
  const res = await fetch(`${base}${route}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      origin: base,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`POST ${route}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

const register = (base: string, name: string) =>
  api<Session>(base, '/api/auth/register', {
    email: `${name.toLowerCase().replace(/\W/g, '')}-${Date.now()}@bench.test`,
    password: PASSWORD,
    displayName: name,
  });

/** A context signed in as `session` (the app keeps its session in localStorage). */
async function signedIn(browser: Browser, base: string, session: Session): Promise<BrowserContext> {
  const context = await browser.newContext({
    baseURL: base,
    viewport: { width: 1280, height: 720 },
  });
  // Page code as text throughout: this package has no DOM types.
  const value = JSON.stringify(JSON.stringify(session));
  await context.addInitScript(
    `if (!localStorage.getItem('parley.session')) localStorage.setItem('parley.session', ${value});`,
  );
  return context;
}

/** Opens the pre-join page and waits until Join can be pressed with the preview up. */
async function toPrejoin(page: Page, code: string): Promise<void> {
  await page.goto(`/r/${code}`);
  await page.getByTestId('prejoin-join').filter({ hasText: 'Join now' }).waitFor();
  // The person looks at their own preview before pressing Join.
  // Polled with evaluate: waitForFunction's text form is an eval the app's CSP refuses.
  const deadline = Date.now() + RUN_TIMEOUT_MS;
  while (!(await page.evaluate<boolean>(`document.querySelector('video')?.readyState >= 2`))) {
    if (Date.now() > deadline) throw new Error('the pre-join preview never played');
    await sleep(50);
  }
}

/**
 * In the page: from the next click anywhere (captured before the app's handlers run) to the
 * first frame any remote camera video presents; `window.__bjResult` resolves with the ms.
 * Source text, not a function: tsx would wrap its inner arrows in a helper the page lacks.
 */
const ARM_CLICK_TO_FRAME = `window.__bjResult = new Promise((resolve) => {
  let clickAt = -1;
  const watched = new WeakSet();
  const observer = new MutationObserver(() => watch());
  const watch = () => {
    for (const v of document.querySelectorAll(${JSON.stringify(REMOTE_VIDEO)})) {
      if (watched.has(v)) continue;
      watched.add(v);
      v.requestVideoFrameCallback((now) => {
        observer.disconnect();
        resolve(now - clickAt);
      });
    }
  };
  window.addEventListener('click', () => {
    clickAt = performance.now();
    observer.observe(document.body, { childList: true, subtree: true });
    watch();
  }, { capture: true, once: true });
}); undefined`;

/** Investigation aid (BENCH_JOIN_TRACE=1): what the page did between the click and the frame. */
const TRACE_SCRIPT = `(() => {
  const marks = (window.__bjMarks = []);
  const mark = (what) => marks.push([performance.now(), what]);
  window.addEventListener('click', () => mark('click'), { capture: true });
  const WS = window.WebSocket;
  window.WebSocket = class extends WS {
    constructor(...a) {
      super(...a);
      mark('ws new');
      this.addEventListener('open', () => mark('ws open'));
      this.addEventListener('message', (e) => mark('ws in ' + String(e.data).slice(0, 60)));
      const send = this.send.bind(this);
      this.send = (d) => { mark('ws out ' + String(d).slice(0, 60)); send(d); };
    }
  };
  const PC = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends PC {
    constructor(...a) {
      super(...a);
      mark('pc new');
      this.addEventListener('iceconnectionstatechange', () => mark('ice ' + this.iceConnectionState));
      this.addEventListener('track', (e) => mark('track ' + e.track.kind));
    }
  };
  const src = Object.getOwnPropertyDescriptor(HTMLMediaElement.prototype, 'srcObject');
  Object.defineProperty(HTMLMediaElement.prototype, 'srcObject', {
    get() { return src.get.call(this); },
    set(v) {
      mark('srcObject ' + (this.dataset.testid || '?') + ' ' + (v ? v.getTracks().map((t) => t.kind).join('+') : 'null'));
      if (!this.__bjSeen) {
        this.__bjSeen = true;
        for (const ev of ['loadeddata', 'playing']) this.addEventListener(ev, () => mark(ev + ' ' + (this.dataset.testid || '?')));
      }
      src.set.call(this, v);
    },
  });
  const gum = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = async (c) => { mark('gum start'); const s = await gum(c); mark('gum done'); return s; };
})()`;

const TIMELINE = `(() => {
  const marks = window.__bjMarks;
  const click = marks.find((m) => m[1] === 'click')[0];
  const res = performance.getEntriesByType('resource').filter((r) => r.startTime >= click - 5)
    .map((r) => [r.startTime, 'fetch ' + r.name.replace(location.origin, '') + ' ' + Math.round(r.duration) + 'ms']);
  return { clickAt: performance.timeOrigin + click, lines: [...marks, ...res].filter((m) => m[0] >= click - 5).sort((a, b) => a[0] - b[0])
    .map((m) => Math.round(m[0] - click) + ' ' + m[1]).join('\\n') };
})()`;

/** The host page's marks from `clickAt` (the joiner's click, epoch ms) on, on the same scale. */
const HOST_TIMELINE = (clickAt: number) => `(() => {
  const marks = window.__bjMarks.splice(0);
  return marks.map((m) => [performance.timeOrigin + m[0] - ${clickAt}, m[1]]).filter((m) => m[0] >= -5)
    .map((m) => Math.round(m[0]) + ' host: ' + m[1]).join('\\n');
})()`;

/**
 * Investigation aid (BENCH_JOIN_PROFILE=<dir>): a CPU profile of the joiner's and the host's
 * page from just before the click to the first frame, as <dir>/join-<n>-{joiner,host}.cpuprofile
 * (open them in Chromium's DevTools, Performance tab).
 */
async function startProfile(
  joiner: Page,
  host: Page,
): Promise<{ stop(run: number): Promise<void> } | undefined> {
  const dir = process.env.BENCH_JOIN_PROFILE;
  if (!dir) return undefined;
  await mkdir(dir, { recursive: true });
  const sessions = await Promise.all(
    [joiner, host].map(async (page) => {
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
      await cdp.send('Profiler.start');
      return cdp;
    }),
  );
  return {
    async stop(run) {
      await Promise.all(
        sessions.map(async (cdp, i) => {
          const { profile } = await cdp.send('Profiler.stop');
          const name = `join-${run + 1}-${i === 0 ? 'joiner' : 'host'}.cpuprofile`;
          await writeFile(path.join(dir, name), JSON.stringify(profile));
          await cdp.detach();
        }),
      );
    },
  };
}

/**
 * Investigation aid (BENCH_JOIN_CPU=1): the CPU every Chromium process (by its --type, and
 * the utility's service) spent from the click to the first frame, against the wall time.
 * Everything of the browser shares the one core, so a join that keeps it busy throughout
 * takes as long as the CPU all of Chromium spends in it.
 */
function chromiumCpu(): Map<string, number> {
  const byProcess = new Map<string, number>();
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      // /usr/bin/chromium is a wrapper: its processes run /usr/lib/chromium/chromium.
      if (!/chrom/i.test(path.basename(cmd.split('\0')[0] ?? ''))) continue;
      const type = /--type=([\w-]+)/.exec(cmd)?.[1] ?? 'browser';
      const service = /--utility-sub-type=([\w.]+)/.exec(cmd)?.[1];
      byProcess.set(`${pid} ${service ?? type}`, processCpuMs(Number(pid)));
    } catch {
      // Gone since the listing.
    }
  }
  return byProcess;
}

function reportChromiumCpu(before: Map<string, number>, wallMs: number, tookMs: number): void {
  const lines: string[] = [];
  let total = 0;
  for (const [name, ms] of chromiumCpu()) {
    const spent = ms - (before.get(name) ?? 0);
    total += spent;
    if (spent > 0) lines.push(`  ${name}: ${Math.round(spent)} ms`);
  }
  const busy = Math.round((100 * total) / wallMs);
  console.log(
    `join ${Math.round(tookMs)} ms: Chromium ${Math.round(total)} ms CPU in ${Math.round(wallMs)} ms (${busy} % of a core)\n${lines.join('\n')}`,
  );
}

async function measureParley(quick: boolean): Promise<Sample> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'bench-browser-join-'));
  let server: Subject | undefined;
  let browser: Browser | undefined;
  try {
    server = await spawnSubject({
      args: [path.join(REPO_ROOT, 'apps/server/dist/main.js')],
      cwd: REPO_ROOT,
      env: {
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: '0',
        DATA_DIR: dataDir,
        LOG_LEVEL: 'info',
        JWT_SECRET: 'bench-browser-join-secret-0123456789abcdef',
        // Another build of the web app side by side (a before/after comparison).
        ...(process.env.BENCH_JOIN_WEB_DIST
          ? { WEB_DIST_DIR: process.env.BENCH_JOIN_WEB_DIST }
          : {}),
      },
      // main.ts prints "Parley is running at http://127.0.0.1:PORT" once listening.
      readyPattern: /Parley is running at https?:\/\/[^\s/]+:(\d+)/,
    });
    const base = server.url;
    const host = await register(base, 'Ada Host');
    const joiner = await register(base, 'Grace Joiner');
    const { room } = await api<{ room: { code: string } }>(
      base,
      '/api/rooms',
      { name: 'Bench', visibility: 'private', entry: 'open' },
      host.tokens.accessToken,
    );

    browser = await launch();
    const hostContext = await signedIn(browser, base, host);
    if (process.env.BENCH_JOIN_TRACE === '1') await hostContext.addInitScript(TRACE_SCRIPT);
    const hostPage = await hostContext.newPage();
    await toPrejoin(hostPage, room.code);
    await hostPage.getByTestId('prejoin-join').click();
    await hostPage.locator('[data-testid="tile"][data-self="true"]').waitFor();

    const ms: number[] = [];
    // One unrecorded join first: the server's and browser's first-use costs are not a join's.
    for (let i = -1; i < runs(quick); i++) {
      const context = await signedIn(browser, base, joiner);
      if (process.env.BENCH_JOIN_TRACE === '1') await context.addInitScript(TRACE_SCRIPT);
      try {
        const page = await context.newPage();
        if (process.env.BENCH_JOIN_TRACE === '1') {
          page.on('console', (m) => console.log('[joiner]', m.type(), m.text()));
          page.on('pageerror', (e) => console.log('[joiner] error', e.message));
        }
        await toPrejoin(page, room.code);
        await page.evaluate(ARM_CLICK_TO_FRAME);
        const profiler = await startProfile(page, hostPage);
        const cpuBefore = process.env.BENCH_JOIN_CPU === '1' ? chromiumCpu() : undefined;
        const wallBefore = performance.now();
        await page.getByTestId('prejoin-join').click();
        // The page's promise, or NaN when no frame came in time.
        const took = await page.evaluate<number>(
          `Promise.race([window.__bjResult, new Promise((r) => setTimeout(() => r(NaN), ${RUN_TIMEOUT_MS}))])`,
        );
        if (cpuBefore) reportChromiumCpu(cpuBefore, performance.now() - wallBefore, took);
        await profiler?.stop(i);
        if (process.env.BENCH_JOIN_TRACE === '1') {
          const joinerLines = await page.evaluate<{ clickAt: number; lines: string }>(TIMELINE);
          console.log(joinerLines.lines);
          console.log(await hostPage.evaluate<string>(HOST_TIMELINE(joinerLines.clickAt)));
          console.log(`${Math.round(took)} first remote frame`);
        }
        if (!Number.isFinite(took)) throw new Error('no remote frame within 20 s');
        if (i >= 0) ms.push(took);
      } finally {
        await context.close();
      }
      // The host's page is back to nobody else before the next person comes.
      await hostPage.locator(REMOTE_VIDEO).waitFor({ state: 'detached', timeout: 15_000 });
    }
    return { ...summarizeRuns(ms), serverCpuMs: server.cpuMs() };
  } finally {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

// ---- bare-pc ----

/** In the page: two peer connections on loopback, from their creation to the first frame. */
const BARE_PAGE = `<!doctype html><meta charset="utf-8"><title>bare-pc</title><body><script>
let camera;
const VIDEO = ${process.env.BENCH_JOIN_BARE_VIDEO ?? 'true'};
window.openCamera = async () => {
  camera = await navigator.mediaDevices.getUserMedia({ audio: true, video: VIDEO });
};
window.runOnce = () => new Promise((resolve, reject) => {
  const t0 = performance.now();
  const offerer = new RTCPeerConnection();
  const answerer = new RTCPeerConnection();
  for (const t of camera.getTracks()) offerer.addTrack(t, camera);
  // Candidates wait for their description, as Parley's protocol requires.
  const link = (from, to) => {
    const early = [];
    let described = false;
    from.onicecandidate = (e) => {
      if (!e.candidate) return;
      if (described) to.addIceCandidate(e.candidate).catch(reject);
      else early.push(e.candidate);
    };
    return () => {
      described = true;
      for (const c of early.splice(0)) to.addIceCandidate(c).catch(reject);
    };
  };
  const answererHasOffer = link(offerer, answerer);
  const offererHasAnswer = link(answerer, offerer);
  const video = document.createElement('video');
  video.muted = true;
  video.autoplay = true;
  video.playsInline = true;
  document.body.append(video);
  offerer.ontrack = (e) => {
    if (e.track.kind !== 'video') return;
    video.srcObject = e.streams[0] ?? new MediaStream([e.track]);
    video.requestVideoFrameCallback((now) => {
      const ms = now - t0;
      offerer.close();
      answerer.close();
      video.remove();
      resolve(ms);
    });
  };
  (async () => {
    await offerer.setLocalDescription();
    await answerer.setRemoteDescription(offerer.localDescription);
    answererHasOffer();
    for (const t of camera.getTracks()) answerer.addTrack(t, camera);
    await answerer.setLocalDescription();
    await offerer.setRemoteDescription(answerer.localDescription);
    offererHasAnswer();
  })().catch(reject);
});
</script>`;

async function measureBare(quick: boolean): Promise<Sample> {
  // getUserMedia needs a secure context: http://127.0.0.1 is one, about:blank is not.
  const http = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(BARE_PAGE);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  let browser: Browser | undefined;
  try {
    browser = await launch();
    const ms: number[] = [];
    for (let i = -1; i < runs(quick); i++) {
      // A fresh page each run, as the Parley joiner gets.
      const context = await browser.newContext();
      try {
        const page = await context.newPage();
        await page.goto(`http://127.0.0.1:${port}/`);
        await page.evaluate('window.openCamera()');
        const took = await page.evaluate<number>('window.runOnce()');
        if (i >= 0) ms.push(took);
      } finally {
        await context.close();
      }
    }
    return summarizeRuns(ms);
  } finally {
    await browser?.close().catch(() => undefined);
    await new Promise<void>((resolve) => http.close(() => resolve()));
  }
}

const workload: Workload<S> = {
  name: 'browser-join',
  title: 'Chromium: Join click → first remote frame, vs two bare RTCPeerConnections',
  subjects: ['parley', 'bare-pc'],
  measure(subject: S, ctx: RoundContext): Promise<Sample> {
    return subject === 'parley' ? measureParley(ctx.quick) : measureBare(ctx.quick);
  },
  summarize(medians: Record<S, Sample>): SummaryRow[] {
    const parley = medians.parley;
    const bare = medians['bare-pc'];
    const p50 = parley.p50Ms ?? Number.NaN;
    const bareP50 = bare.p50Ms ?? Number.NaN;
    const ratio = p50 / bareP50;
    return [
      {
        metric: 'Join → first remote frame p50',
        values: { parley: p50, 'bare-pc': bareP50 },
        unit: 'ms',
        ratios: { 'parley / bare-pc': ratio },
        target: {
          text: 'p50 ≤ 400 ms and ≤ 1.6 × two bare RTCPeerConnections',
          met: p50 <= 400 && ratio <= 1.6,
        },
      },
      {
        metric: 'Join → first remote frame p95',
        values: { parley: parley.p95Ms ?? Number.NaN, 'bare-pc': bare.p95Ms ?? Number.NaN },
        unit: 'ms',
        ratios: { 'parley / bare-pc': (parley.p95Ms ?? Number.NaN) / (bare.p95Ms ?? Number.NaN) },
      },
    ];
  },
};

export default workload;

/** `node --import tsx browser-join.ts [parley|bare-pc]`: one measurement, without the runner. */
if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const quick = process.env.BENCH_QUICK === '1';
  const only = process.argv[2] as S | undefined;
  for (const subject of only ? [only] : workload.subjects) {
    const sample = await workload.measure(subject, { round: 0, quick, load: 0 });
    console.log(subject, JSON.stringify(sample));
  }
}
