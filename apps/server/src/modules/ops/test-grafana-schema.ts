import { z } from 'zod';

/**
 * What the shipped dashboard must be beyond Grafana's own model. The model itself (field
 * names, types, enums) is checked against @grafana/schema by test-grafana-types.ts; this
 * says only what those types cannot: integers on the 24-column grid, the `__inputs` that
 * make Grafana ask for a Prometheus on import, a URL-safe uid, and that a shareable
 * dashboard gives every panel an id, a title and a place (optional in the model), and every
 * query a refId and a PromQL `expr` (targets are `Record<string, unknown>` there). Unknown
 * fields pass. Unique ids and overlaps are cross-panel rules: grafana-dashboard.test.ts.
 */

const DataSourceRef = z.object({ type: z.string().optional(), uid: z.string().optional() });

/** 24 columns; heights in grid units (30 px). The model says only `number`. */
const GridPos = z.object({
  x: z.int().min(0).max(23),
  y: z.int().min(0),
  w: z.int().min(1).max(24),
  h: z.int().min(1),
});

const Target = z.looseObject({
  refId: z.string().regex(/^[A-Z]+$/),
  datasource: DataSourceRef.optional(),
  /** PromQL. */
  expr: z.string().min(1),
});

const Panel = z.looseObject({
  id: z.int().min(1),
  type: z.string(),
  title: z.string().min(1),
  datasource: DataSourceRef.optional(),
  gridPos: GridPos,
  targets: z.array(Target).min(1).optional(),
});
export type GrafanaPanel = z.infer<typeof Panel>;

/** `__inputs` of a dashboard exported "for sharing externally": Grafana asks for each on import. */
const Input = z.object({
  name: z.string().regex(/^[A-Z][A-Z0-9_]*$/),
  label: z.string(),
  type: z.enum(['datasource', 'constant']),
  pluginId: z.string().optional(),
});

export const GrafanaDashboard = z.looseObject({
  __inputs: z.array(Input).min(1),
  title: z.string().min(1),
  /** 8-40 characters, letters, digits, `-` and `_` (a URL part). */
  uid: z.string().regex(/^[a-zA-Z0-9_-]{8,40}$/),
  /** Grafana migrates older models on load; 39 is Grafana 10.4, the oldest this targets. */
  schemaVersion: z.int().min(39),
  templating: z.object({
    list: z.array(z.looseObject({ name: z.string(), datasource: DataSourceRef.optional() })),
  }),
  panels: z.array(Panel).min(1),
});
export type GrafanaDashboard = z.infer<typeof GrafanaDashboard>;
