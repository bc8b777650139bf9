import { z } from 'zod';

/**
 * Grafana's classic dashboard JSON model (schemaVersion 39 and up: Grafana 10.4+), as far
 * as the shipped dashboard uses it, written after `Dashboard`, `Panel`, `RowPanel`,
 * `GridPos`, `DataSourceRef` and `VariableModel` in @grafana/schema 13.2.3
 * (dist/types/raw/dashboard/x/types.gen.d.ts). That package has TypeScript types only, no
 * JSON Schema, so the fields are restated here; fields it leaves optional stay optional,
 * and unknown fields pass (Grafana ignores and keeps them). Stricter than Grafana where a
 * shareable dashboard should be: every panel has an id, a title and a place on the grid,
 * and every query panel names its data source.
 */

const DataSourceRef = z.object({ type: z.string().optional(), uid: z.string().optional() });

/** 24 columns; heights in grid units (30 px). */
const GridPos = z.object({
  x: z.int().min(0).max(23),
  y: z.int().min(0),
  w: z.int().min(1).max(24),
  h: z.int().min(1),
  static: z.boolean().optional(),
});

const Target = z.looseObject({
  refId: z.string().regex(/^[A-Z]+$/),
  datasource: DataSourceRef.optional(),
  /** PromQL. */
  expr: z.string().min(1),
  legendFormat: z.string().optional(),
  hide: z.boolean().optional(),
});

const FieldConfigSource = z.object({
  defaults: z.looseObject({
    unit: z.string().optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    custom: z.record(z.string(), z.unknown()).optional(),
  }),
  overrides: z.array(
    z.object({
      matcher: z.object({ id: z.string(), options: z.unknown().optional() }),
      properties: z.array(z.object({ id: z.string(), value: z.unknown().optional() })),
    }),
  ),
});

const QueryPanel = z.looseObject({
  id: z.int().min(1),
  type: z.enum(['timeseries', 'stat', 'gauge', 'bargauge', 'table', 'heatmap', 'piechart']),
  title: z.string().min(1),
  description: z.string().optional(),
  datasource: DataSourceRef,
  gridPos: GridPos,
  targets: z.array(Target).min(1),
  fieldConfig: FieldConfigSource.optional(),
  options: z.record(z.string(), z.unknown()).optional(),
  interval: z.string().optional(),
  maxDataPoints: z.number().optional(),
  transparent: z.boolean().optional(),
});

const RowPanel = z.looseObject({
  id: z.int().min(1),
  type: z.literal('row'),
  title: z.string(),
  collapsed: z.boolean(),
  gridPos: GridPos,
  panels: z.array(QueryPanel),
  datasource: DataSourceRef.optional(),
  repeat: z.string().optional(),
});

export const GrafanaPanel = z.union([RowPanel, QueryPanel]);
export type GrafanaPanel = z.infer<typeof GrafanaPanel>;

const VariableModel = z.looseObject({
  name: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/),
  type: z.enum([
    'query',
    'adhoc',
    'groupby',
    'constant',
    'datasource',
    'interval',
    'textbox',
    'custom',
    'system',
    'snapshot',
    'switch',
  ]),
  label: z.string().optional(),
  datasource: DataSourceRef.nullable().optional(),
  query: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
  /** 0 never, 1 on dashboard load, 2 on time range change. */
  refresh: z.union([z.literal(0), z.literal(1), z.literal(2)]).optional(),
  includeAll: z.boolean().optional(),
  multi: z.boolean().optional(),
  allValue: z.string().optional(),
  /** 0 shown, 1 label hidden, 2 hidden. */
  hide: z.union([z.literal(0), z.literal(1), z.literal(2)]).optional(),
  options: z.array(z.unknown()).optional(),
});

/** `__inputs` of a dashboard exported "for sharing externally": Grafana asks for each on import. */
const Input = z.object({
  name: z.string().regex(/^[A-Z][A-Z0-9_]*$/),
  label: z.string(),
  description: z.string().optional(),
  type: z.enum(['datasource', 'constant']),
  pluginId: z.string().optional(),
  pluginName: z.string().optional(),
  value: z.string().optional(),
});

const Requirement = z.object({
  type: z.enum(['grafana', 'datasource', 'panel']),
  id: z.string(),
  name: z.string(),
  version: z.string(),
});

export const GrafanaDashboard = z.looseObject({
  __inputs: z.array(Input).min(1),
  __requires: z.array(Requirement).optional(),
  title: z.string().min(1),
  /** 8-40 characters, letters, digits, `-` and `_` (a URL part). */
  uid: z.string().regex(/^[a-zA-Z0-9_-]{8,40}$/),
  /** Grafana migrates older models on load; 39 is Grafana 10.4. */
  schemaVersion: z.int().min(39),
  /** Null in an export: Grafana assigns its own on import. */
  id: z.int().nullable().optional(),
  version: z.int().optional(),
  description: z.string().optional(),
  tags: z.array(z.string()).optional(),
  editable: z.boolean().optional(),
  graphTooltip: z.union([z.literal(0), z.literal(1), z.literal(2)]).optional(),
  refresh: z.union([z.string(), z.literal(false)]).optional(),
  time: z.object({ from: z.string(), to: z.string() }).optional(),
  timezone: z.string().optional(),
  annotations: z.object({ list: z.array(z.record(z.string(), z.unknown())).optional() }).optional(),
  links: z.array(z.record(z.string(), z.unknown())).optional(),
  templating: z.object({ list: z.array(VariableModel) }),
  panels: z.array(GrafanaPanel).min(1),
});
export type GrafanaDashboard = z.infer<typeof GrafanaDashboard>;
