/**
 * connect + `hello`: server CPU per connection. M sockets are opened 50 at a time and each
 * completes `hello` → `welcome` (Parley verifies a real access token and its session); the
 * subject's own CPU time over that span, divided by M. A warm-up wave first, so the JIT
 * and first-socket costs are not counted. Sockets stay open (closing is not measured).
 */
import type { Sample, SummaryRow, Workload } from '../types.js';
import { WS_SUBJECTS, connectAndHello, ratiosOf, sleep, startWsSubject } from '../ws-subjects.js';
import type { WsSubjectName } from '../ws-subjects.js';

const workload: Workload<WsSubjectName> = {
  name: 'connect-hello',
  title: 'connect + hello: server CPU per connection',
  subjects: WS_SUBJECTS,
  async measure(subject, ctx): Promise<Sample> {
    const m = ctx.quick ? 80 : 2000;
    const warm = ctx.quick ? 20 : 200;
    const t = await startWsSubject(subject, { sockets: warm + m });
    const open = [];
    try {
      const w = await connectAndHello(t, warm);
      await Promise.all(w.sockets.map((s) => s.close()));
      await sleep(500);
      const cpu0 = t.proc.cpuMs();
      const t0 = performance.now();
      const { sockets } = await connectAndHello(t, m, { first: warm });
      open.push(...sockets);
      const wallMs = performance.now() - t0;
      // What a connection sets off after its welcome (presence) belongs to its cost too.
      await sleep(300);
      const cpuMs = t.proc.cpuMs() - cpu0;
      return {
        cpuMsPerConnection: cpuMs / m,
        connectionsPerSec: (m / wallMs) * 1000,
        connections: m,
      };
    } finally {
      await t.stop(open);
    }
  },
  summarize(medians): SummaryRow[] {
    const values = Object.fromEntries(WS_SUBJECTS.map((s) => [s, medians[s].cpuMsPerConnection!]));
    const ratios = ratiosOf(values);
    const r = ratios['parley / ws'];
    return [
      {
        metric: 'server CPU per connection (connect + hello)',
        values,
        unit: 'ms',
        ratios,
        ...(r !== undefined ? { target: { text: 'parley ≤ 1.5 × ws', met: r <= 1.5 } } : {}),
      },
      {
        metric: 'connections with hello per second (50 at a time)',
        values: Object.fromEntries(WS_SUBJECTS.map((s) => [s, medians[s].connectionsPerSec!])),
        unit: '1/s',
        ratios: ratiosOf(
          Object.fromEntries(WS_SUBJECTS.map((s) => [s, medians[s].connectionsPerSec!])),
        ),
      },
    ];
  },
};
export default workload;
