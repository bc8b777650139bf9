import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, testConfig } from '../../test/harness.js';
import type { TestApp } from '../../test/harness.js';
import { GrafanaDashboard } from './test-grafana-schema.js';
import type { GrafanaPanel } from './test-grafana-schema.js';
import { grafanaTypeErrors } from './test-grafana-types.js';

// deploy/grafana/parley-dashboard.json is what operators import into Grafana. It must be
// Grafana's dashboard model (type-checked against `Dashboard` from @grafana/schema by
// test-grafana-types.ts), meet what those types cannot say (test-grafana-schema.ts and the
// cross-panel rules below), ask for the Prometheus data source on import, and query only
// metrics this app really exports.

const FILE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../../../deploy/grafana/parley-dashboard.json',
);
const text = readFileSync(FILE, 'utf8');
const raw: unknown = JSON.parse(text);
const parsed = GrafanaDashboard.safeParse(raw);
/** The dashboard as the rules below read it; when it does not parse, the test of those rules says why. */
const dashboard: GrafanaDashboard = parsed.data ?? {
  __inputs: [],
  title: '',
  uid: '',
  schemaVersion: 0,
  templating: { list: [] },
  panels: [],
};
const panels = dashboard.panels;
const queried = panels.filter(
  (p): p is GrafanaPanel & Required<Pick<GrafanaPanel, 'targets'>> => p.targets !== undefined,
);

/**
 * The metric names in a PromQL expression: what is left once label matchers, grouping
 * clauses, ranges and strings are taken out, and that is not followed by `(` (a function
 * or an aggregation) nor a keyword.
 */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ');
  const names = new Set<string>();
  for (const m of bare.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)) {
    const [, name, call] = m;
    if (call || KEYWORDS.has(name!)) continue;
    names.add(name!);
  }
  return [...names];
}
const KEYWORDS = new Set([
  'group_left',
  'group_right',
  'by',
  'without',
  'on',
  'ignoring',
  'bool',
  'offset',
  'and',
  'or',
  'unless',
]);

describe('the Grafana dashboard (deploy/grafana/parley-dashboard.json)', () => {
  let t: TestApp;
  /** Every series name the app's registry exposes, process metrics included. */
  let exported: Set<string>;
  beforeAll(async () => {
    t = await testApp({ config: { metrics: { ...testConfig().metrics, defaultMetrics: true } } });
    exported = new Set();
    for (const m of await t.metrics.registry.getMetricsAsJSON()) {
      exported.add(m.name);
      const suffixes =
        String(m.type) === 'histogram'
          ? ['_bucket', '_sum', '_count']
          : String(m.type) === 'summary'
            ? ['_sum', '_count']
            : [];
      for (const s of suffixes) exported.add(`${m.name}${s}`);
    }
  });
  afterAll(async () => {
    await t?.close();
  });

  it("type-checks as Grafana's own Dashboard model (@grafana/schema)", () => {
    expect(grafanaTypeErrors(text)).toEqual([]);
  }, 30_000);

  it('the type check refuses a dashboard Grafana would not read', () => {
    const broken = structuredClone(raw) as { panels: { gridPos: Record<string, unknown> }[] };
    broken.panels[0]!.gridPos.w = '6';
    const errors = grafanaTypeErrors(JSON.stringify(broken, null, 2));
    expect(errors.join('\n')).toMatch(/Type 'string' is not assignable to type 'number'/);
    expect(errors.join('\n')).toContain('"w": "6"');
    const unknownField = structuredClone(raw) as { panels: Record<string, unknown>[] };
    unknownField.panels[0]!.gridPosition = { x: 0, y: 0, w: 6, h: 4 };
    expect(grafanaTypeErrors(JSON.stringify(unknownField)).join('\n')).toContain('gridPosition');
  }, 30_000);

  it('meets what the types cannot say: ids, titles, integer grid places, uid, schemaVersion 39+', () => {
    expect(parsed.error?.issues ?? []).toEqual([]);
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(39);
    expect(panels.length).toBeGreaterThanOrEqual(15);
  });

  it('asks for its Prometheus on import, and every query uses it', () => {
    expect(dashboard.__inputs).toContainEqual(
      expect.objectContaining({
        name: 'DS_PROMETHEUS',
        type: 'datasource',
        pluginId: 'prometheus',
      }),
    );
    for (const p of queried) {
      expect(p.datasource, p.title).toEqual({ type: 'prometheus', uid: '${DS_PROMETHEUS}' });
      for (const target of p.targets) {
        expect(target.datasource ?? p.datasource, `${p.title} ${target.refId}`).toEqual(
          p.datasource,
        );
      }
    }
    const instance = dashboard.templating.list.find((v) => v.name === 'instance');
    expect(instance?.datasource).toEqual({ type: 'prometheus', uid: '${DS_PROMETHEUS}' });
  });

  it('has unique panel ids and target refIds, and no two panels overlap on the 24-column grid', () => {
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of queried) {
      const refs = p.targets.map((target) => target.refId);
      expect(new Set(refs).size, p.title).toBe(refs.length);
    }
    for (const p of panels) expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
    const overlaps: string[] = [];
    for (const [i, a] of panels.entries()) {
      for (const b of panels.slice(i + 1)) {
        const A = a.gridPos;
        const B = b.gridPos;
        const apart = A.x + A.w <= B.x || B.x + B.w <= A.x || A.y + A.h <= B.y || B.y + B.h <= A.y;
        if (!apart) overlaps.push(`${a.title} / ${b.title}`);
      }
    }
    expect(overlaps).toEqual([]);
  });

  it('queries only metrics the app exports (its own and the process metrics)', () => {
    const used = new Map<string, string>();
    for (const p of queried) {
      for (const target of p.targets) {
        const names = metricNames(target.expr);
        expect(names.length, `${p.title}: ${target.expr}`).toBeGreaterThan(0);
        for (const n of names) used.set(n, p.title);
      }
    }
    const missing = [...used].filter(([n]) => !exported.has(n)).map(([n, p]) => `${n} (${p})`);
    expect(missing).toEqual([]);
    // What the issue asks to see, each on some panel.
    for (const wanted of [
      'parley_http_request_duration_seconds_bucket',
      'parley_ws_connections',
      'parley_rooms_active',
      'parley_participants_active',
      'parley_ws_messages_received_total',
      'parley_ws_messages_sent_total',
      'parley_signaling_errors_total',
      'parley_calls_finished_total',
      'parley_appointment_joins_refused_total',
      'parley_turn_credentials_issued_total',
      'parley_link_outcomes_total',
      'parley_first_frame_seconds_bucket',
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
    ]) {
      expect(used.has(wanted), wanted).toBe(true);
    }
  });

  it('the expression reader finds metric names and nothing else', () => {
    expect(
      metricNames(
        'histogram_quantile(0.95, sum by (le, route) (rate(parley_http_request_duration_seconds_bucket{instance=~"$instance",route!="x y"}[$__rate_interval])))',
      ),
    ).toEqual(['parley_http_request_duration_seconds_bucket']);
    expect(
      metricNames(
        '100 * sum by (outcome) (increase(a_total[1h])) / ignoring(outcome) group_left sum(increase(b_total[1h])) or vector(0)',
      ),
    ).toEqual(['a_total', 'b_total']);
  });
});
