/**
 * Join storm: N authenticated sockets (rooms of 10) all send `room.join` in one go;
 * latency from each socket's send to its `room.joined` (the others' `participant.joined`
 * notices flow at the same time). Parley's rooms are seeded with every member approved.
 */
import { percentile } from '../../stats.js';
import type { Sample, SummaryRow, Workload } from '../types.js';
import { assertClean } from '../ws-load.js';
import type { LoadSocket, Received } from '../ws-load.js';
import { WS_SUBJECTS, connectAndHello, ratiosOf, sleep, startWsSubject } from '../ws-subjects.js';
import type { WsSubjectName } from '../ws-subjects.js';

const ROOM_SIZE = 10;

const workload: Workload<WsSubjectName> = {
  name: 'join-storm',
  title: 'join storm: room.join → room.joined latency, all sockets at once, rooms of 10',
  subjects: WS_SUBJECTS,
  async measure(subject, ctx): Promise<Sample> {
    const n = ctx.quick ? 100 : 2000;
    const t = await startWsSubject(subject, { sockets: n, roomSize: ROOM_SIZE });
    let sockets: LoadSocket[] = [];
    try {
      sockets = (await connectAndHello(t, n)).sockets;
      await sleep(500);
      const answers: Promise<Received>[] = [];
      const sentAt = new Float64Array(n);
      const cpu0 = t.proc.cpuMs();
      for (let i = 0; i < n; i++) {
        const s = sockets[i]!;
        answers.push(s.expect('room.joined', 30_000));
        sentAt[i] = performance.now();
        s.send('room.join', { roomId: t.roomIds[Math.floor(i / ROOM_SIZE)], ref: `j${i}` });
      }
      const got = await Promise.allSettled(answers);
      const cpuMs = t.proc.cpuMs() - cpu0;
      assertClean(sockets, `${subject}: join storm`);
      const lat = new Float64Array(n);
      got.forEach((r, i) => {
        if (r.status === 'rejected') throw r.reason;
        lat[i] = r.value.at - sentAt[i]!;
      });
      lat.sort();
      return {
        p50Ms: percentile(lat, 50),
        p99Ms: percentile(lat, 99),
        maxMs: lat[n - 1]!,
        cpuMsPerJoin: cpuMs / n,
        joins: n,
      };
    } finally {
      await t.stop(sockets);
    }
  },
  summarize(medians): SummaryRow[] {
    const row = (metric: string, key: string, unit: string) => {
      const values = Object.fromEntries(WS_SUBJECTS.map((s) => [s, medians[s][key]!]));
      return { metric, values, unit, ratios: ratiosOf(values) };
    };
    const p99 = row('join → joined p99', 'p99Ms', 'ms');
    const ws = p99.ratios['parley / ws'];
    const sio = p99.ratios['parley / socketio'];
    return [
      {
        ...p99,
        ...(ws !== undefined && sio !== undefined
          ? { target: { text: 'parley ≤ 1.5 × ws and < socketio', met: ws <= 1.5 && sio < 1 } }
          : {}),
      },
      row('join → joined p50', 'p50Ms', 'ms'),
      row('server CPU per join', 'cpuMsPerJoin', 'ms'),
    ];
  },
};
export default workload;
