/**
 * Idle memory per authenticated socket: RSS after a first tenth of the sockets (hello
 * done, settled) against RSS with all N open and settled; the difference over the
 * sockets added, in KB. Measuring from the first tenth leaves out what the first
 * sockets cost once (JIT code, heap growth). Every subject runs with the same node flags
 * and no forced GC (Parley cannot be asked to collect), so all carry their garbage alike.
 */
import type { Sample, SummaryRow, Workload } from '../types.js';
import type { LoadSocket } from '../ws-load.js';
import { WS_SUBJECTS, connectAndHello, ratiosOf, sleep, startWsSubject } from '../ws-subjects.js';
import type { WsSubjectName } from '../ws-subjects.js';

/** Waits until RSS stops moving (< 0.5 % over 500 ms) or 6 s passed, and returns it. */
async function settledRss(rss: () => number): Promise<number> {
  let last = rss();
  for (let i = 0; i < 12; i++) {
    await sleep(500);
    const now = rss();
    if (Math.abs(now - last) < last * 0.005) return now;
    last = now;
  }
  return last;
}

const workload: Workload<WsSubjectName> = {
  name: 'idle-rss',
  title: 'idle RSS per authenticated socket',
  subjects: WS_SUBJECTS,
  async measure(subject, ctx): Promise<Sample> {
    const n = ctx.quick ? 100 : 5000;
    const base = Math.round(n / 10);
    const t = await startWsSubject(subject, { sockets: n });
    const open: LoadSocket[] = [];
    try {
      open.push(...(await connectAndHello(t, base)).sockets);
      const rss0 = await settledRss(() => t.proc.rssBytes());
      open.push(...(await connectAndHello(t, n - base, { first: base })).sockets);
      const rss1 = await settledRss(() => t.proc.rssBytes());
      return {
        kbPerSocket: (rss1 - rss0) / 1024 / (n - base),
        rssMiB: rss1 / 2 ** 20,
        sockets: n,
      };
    } finally {
      await t.stop(open);
    }
  },
  summarize(medians): SummaryRow[] {
    const values = Object.fromEntries(WS_SUBJECTS.map((s) => [s, medians[s].kbPerSocket!]));
    const total = Object.fromEntries(WS_SUBJECTS.map((s) => [s, medians[s].rssMiB!]));
    const p = values.parley;
    return [
      {
        metric: 'idle RSS per authenticated socket',
        values,
        unit: 'KB',
        ratios: ratiosOf(values),
        ...(p !== undefined ? { target: { text: 'parley ≤ 8 KB', met: p <= 8 } } : {}),
      },
      { metric: 'RSS with all sockets open', values: total, unit: 'MiB', ratios: ratiosOf(total) },
    ];
  },
};
export default workload;
