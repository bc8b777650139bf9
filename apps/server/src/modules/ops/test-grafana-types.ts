import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * Type-checks a dashboard JSON text against Grafana's own dashboard model: `Dashboard` from
 * @grafana/schema (the types Grafana's front end is built with; the package ships no JSON
 * Schema). The text becomes the object literal of a virtual TypeScript file,
 * `export const dashboard = <json> satisfies Json<Dashboard> & Export`, compiled with
 * modules resolved from the repository root. An object literal under `satisfies` keeps its
 * literal types, so string unions and numeric enums are matched value by value, and excess
 * property checks refuse fields Grafana's model does not have.
 *
 * Two adaptations, both in the virtual file for anyone to read:
 * - `Json<T>`: Grafana's types spell some fields as TypeScript string enums
 *   (`ThresholdsMode`, `FieldColorModeId`, `MappingType`), which no JSON value can be;
 *   `Json<T>` turns each enum into the union of its string values (`${E}`), the exact set
 *   Grafana accepts in JSON, and leaves everything else as it is.
 * - `Export`: a dashboard exported "for sharing externally" carries `__inputs`,
 *   `__elements` and `__requires` around the model; Grafana's import reads and strips them,
 *   and the model type does not list them. What `__inputs` must hold is checked by
 *   test-grafana-schema.ts.
 *
 * Returns the diagnostics as text (empty when the dashboard is a valid model).
 */
export function grafanaTypeErrors(jsonText: string): string[] {
  const file = path.join(REPO_ROOT, 'deploy/grafana/__dashboard-type-check__.ts');
  const source = [
    `import type { Dashboard } from '@grafana/schema';`,
    'type Json<T> = T extends string',
    '  ? `${T}`',
    '  : T extends readonly (infer U)[]',
    '    ? Json<U>[]',
    '    : T extends object',
    '      ? { [K in keyof T]: Json<T[K]> }',
    '      : T;',
    'interface Export {',
    '  __inputs?: unknown[];',
    '  __elements?: Record<string, unknown>;',
    '  __requires?: unknown[];',
    '}',
    // The text is trimmed: a line break before `satisfies` would end the statement.
    `export const dashboard = ${jsonText.trim()} satisfies Json<Dashboard> & Export;`,
    '',
  ].join('\n');
  const disk = ts.createCompilerHost(OPTIONS);
  const host: ts.CompilerHost = {
    ...disk,
    getSourceFile: (name, version, ...rest) =>
      name === file
        ? ts.createSourceFile(name, source, version)
        : disk.getSourceFile(name, version, ...rest),
    fileExists: (name) => name === file || disk.fileExists(name),
    readFile: (name) => (name === file ? source : disk.readFile(name)),
    getCurrentDirectory: () => REPO_ROOT,
  };
  const program = ts.createProgram([file], OPTIONS, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    if (!d.file || d.start === undefined) return message;
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
    const text = d.file.text.split('\n')[line]?.trim() ?? '';
    return `${path.basename(d.file.fileName)}:${line + 1}:${character + 1} ${message}\n  ${text}`;
  });
}

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../..');

const OPTIONS: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  target: ts.ScriptTarget.ES2023,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  lib: ['lib.es2023.d.ts'],
  // No ambient @types packages: only what the virtual file imports.
  types: [],
  // Grafana's own declaration files are its business; the dashboard is ours.
  skipLibCheck: true,
};
