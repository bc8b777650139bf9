/**
 * The shape both read-only HTTP workloads share (http-me, http-health): one GET route,
 * autocannon with 50 connections against Parley, the `node:http` ceiling and a Fastify
 * hello-world; a short unrecorded warm-up of the fresh process, then the measured run.
 */
import { HTTP_SUBJECTS, runLoad, startHttpSubject } from './http-load.js';
import type { HttpSubjectName, HttpTarget, LoadOptions } from './http-load.js';
import { ratio } from './summary.js';
import type { Sample, SummaryRow, Workload } from './types.js';

export const CONNECTIONS = 50;

export type HttpGetSpec = {
  name: string;
  title: string;
  path: string;
  /** Send `Authorization: Bearer <token>` (a real access token for Parley). */
  auth: boolean;
  /** The targets, as ratios of Parley's requests/s to the others'. */
  minVsNodeHttp: number;
  minVsFastify?: number;
};

export function httpGetWorkload(spec: HttpGetSpec): Workload<HttpSubjectName> {
  return {
    name: spec.name,
    title: spec.title,
    subjects: HTTP_SUBJECTS,
    async measure(subject, ctx): Promise<Sample> {
      const t = await startHttpSubject(subject);
      try {
        const load: LoadOptions = {
          url: t.url,
          path: spec.path,
          headers: spec.auth ? { authorization: `Bearer ${t.tokens[0]}` } : {},
          connections: CONNECTIONS,
        };
        // The process is fresh: let the JIT settle before anything counts.
        await runLoad({ ...load, seconds: ctx.quick ? 1 : 2, warmUp: true });
        const cpu0 = t.proc.cpuMs();
        const r = await runLoad({ ...load, seconds: ctx.quick ? 2 : 8 });
        const cpuMs = t.proc.cpuMs() - cpu0;
        return {
          rps: r.rps,
          p50Ms: r.p50Ms,
          p99Ms: r.p99Ms,
          cpuUsPerRequest: (cpuMs * 1000) / r.responses,
          rssMiB: t.proc.rssBytes() / 2 ** 20,
        };
      } finally {
        await t.stop();
      }
    },
    summarize(medians): SummaryRow[] {
      const of = (metric: string) =>
        Object.fromEntries(HTTP_SUBJECTS.map((s) => [s, medians[s]?.[metric] ?? Number.NaN]));
      const rps = of('rps');
      const vsNode = ratio(rps.parley, rps['node-http']);
      const vsFastify = ratio(rps.parley, rps['fastify-hello']);
      const targets = [`parley ≥ ${spec.minVsNodeHttp} × node:http`];
      let met = vsNode >= spec.minVsNodeHttp;
      if (spec.minVsFastify !== undefined) {
        targets.push(`≥ ${spec.minVsFastify} × fastify`);
        met &&= vsFastify >= spec.minVsFastify;
      }
      const p99 = of('p99Ms');
      const cpu = of('cpuUsPerRequest');
      return [
        {
          metric: `requests/s (${CONNECTIONS} connections)`,
          values: rps,
          unit: '1/s',
          ratios: { 'parley / node:http': vsNode, 'parley / fastify': vsFastify },
          target: { text: targets.join(', '), met },
        },
        {
          metric: 'p99 latency',
          values: p99,
          unit: 'ms',
          ratios: {
            'parley / node:http': ratio(p99.parley, p99['node-http']),
            'parley / fastify': ratio(p99.parley, p99['fastify-hello']),
          },
        },
        {
          metric: 'server CPU per request',
          values: cpu,
          unit: 'µs',
          ratios: {
            'parley / node:http': ratio(cpu.parley, cpu['node-http']),
            'parley / fastify': ratio(cpu.parley, cpu['fastify-hello']),
          },
        },
      ];
    },
  };
}

/**
 * The POST workloads (rest-join, invite-accept): `warm` requests unrecorded, then `amount`
 * measured, each built by `next` (a different person, room or invite every time).
 * `more()` says whether `next` was asked for more requests than were planned.
 */
export async function measurePosts(
  t: HttpTarget,
  opts: {
    name: string;
    path: string;
    warm: number;
    amount: number;
    next: NonNullable<LoadOptions['setupRequest']>;
    overdrawn: () => string | undefined;
  },
): Promise<Sample> {
  const load: LoadOptions = {
    url: t.url,
    method: 'POST',
    path: opts.path,
    connections: CONNECTIONS,
    setupRequest: opts.next,
  };
  await runLoad({ ...load, amount: opts.warm, warmUp: true });
  const cpu0 = t.proc.cpuMs();
  const r = await runLoad({ ...load, amount: opts.amount });
  const cpuMs = t.proc.cpuMs() - cpu0;
  const overdrawn = opts.overdrawn();
  if (overdrawn) throw new Error(`${opts.name}: ${overdrawn}`);
  return {
    rps: r.rps,
    p50Ms: r.p50Ms,
    p99Ms: r.p99Ms,
    cpuUsPerRequest: (cpuMs * 1000) / r.responses,
  };
}

/** The summary of a `measurePosts` workload: Parley's own figures, no ratios. */
export function postRows(medians: Record<string, Sample>, unit: string): SummaryRow[] {
  const m = medians.parley ?? {};
  const row = (metric: string, value: number | undefined, u: string): SummaryRow => ({
    metric,
    values: { parley: value ?? Number.NaN },
    unit: u,
    ratios: {},
  });
  return [
    row(`${unit}s/s (${CONNECTIONS} connections)`, m.rps, '1/s'),
    row('p50 latency', m.p50Ms, 'ms'),
    row('p99 latency', m.p99Ms, 'ms'),
    row(`server CPU per ${unit}`, m.cpuUsPerRequest, 'µs'),
  ];
}
