/** Tables, machine description and results files, shared by the benchmarks. */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import * as prettier from 'prettier';
import { sig } from './stats.js';

export type Table = { title: string; head: string[]; body: string[][] };

/** 3 significant digits; thousands separators from 1,000 up; "–" for no value. */
export const fmt = (x: number) =>
  !Number.isFinite(x) ? '–' : x >= 1000 ? Math.round(x).toLocaleString('en-US') : String(sig(x));

export function consoleTable(t: { head: string[]; body: string[][] }): string {
  const widths = t.head.map((h, i) =>
    Math.max(h.length, ...t.body.map((r) => (r[i] ?? '').length)),
  );
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i] ?? 0)).join('  ');
  return [line(t.head), ...t.body.map(line)].join('\n');
}

export function markdownTable(t: { head: string[]; body: string[][] }): string {
  const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [row(t.head), row(t.head.map(() => '---:')), ...t.body.map(row)].join('\n');
}

export function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGiB: sig(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
  };
}

/** "2026-11-30T0158": the UTC date and time a results file is named after. */
export function fileStamp(at: Date): string {
  return at.toISOString().slice(0, 16).replace(':', '');
}

/** Writes a results file formatted as the repository's Prettier config wants it. */
export async function writeFormatted(file: string, text: string): Promise<void> {
  const options = (await prettier.resolveConfig(file)) ?? {};
  writeFileSync(file, await prettier.format(text, { ...options, filepath: file }));
}
