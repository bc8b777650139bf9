import { SystemSettings } from '@parley/protocol';
import type { SettingsPatch, SettingsResponse } from '@parley/protocol';
import { Emitter } from '../calls/emitter';
import { ApiError } from '../api/errors';

/**
 * The settings page: one form per section, each saved on its own with only the fields it
 * changed (a SettingsPatch). Sections and fields come from the SystemSettings schema, so a
 * setting added there shows up here; its label is `admin.settings.fields.<path>`.
 */

export type FieldKind =
  | { kind: 'bool' }
  | { kind: 'select'; options: readonly string[] }
  | { kind: 'int'; min: number | null; max: number | null };

export type SettingsField = { path: string; section: string; key: string } & FieldKind;

export interface SettingsSection {
  /** `access` for the top-level settings (registration, guests), else the object's key. */
  key: string;
  fields: SettingsField[];
}

/** The top-level, non-object settings share one section. */
export const ACCESS_SECTION = 'access';

type Schema = {
  def?: { type?: string };
  options?: readonly string[];
  minValue?: number | null;
  maxValue?: number | null;
  shape?: Record<string, Schema>;
};

function kindOf(schema: Schema): FieldKind {
  const type = schema.def?.type;
  if (type === 'boolean') return { kind: 'bool' };
  if (type === 'enum') return { kind: 'select', options: schema.options ?? [] };
  return { kind: 'int', min: schema.minValue ?? null, max: schema.maxValue ?? null };
}

/** The sections of the form, from the schema. */
export function settingsSections(
  shape: Record<string, Schema> = SystemSettings.shape,
): SettingsSection[] {
  const access: SettingsField[] = [];
  const sections: SettingsSection[] = [];
  for (const [key, schema] of Object.entries(shape)) {
    if (schema.def?.type === 'object' && schema.shape) {
      sections.push({
        key,
        fields: Object.entries(schema.shape).map(([field, s]) => ({
          path: `${key}.${field}`,
          section: key,
          key: field,
          ...kindOf(s),
        })),
      });
    } else {
      access.push({ path: key, section: ACCESS_SECTION, key, ...kindOf(schema) });
    }
  }
  return [{ key: ACCESS_SECTION, fields: access }, ...sections];
}

export type DraftValue = string | boolean;

export interface SettingsFormState {
  status: 'loading' | 'ready' | 'failed';
  /** Why loading failed. */
  error: unknown;
  saved: SettingsResponse | null;
  /** What the form shows, by field path: numbers as typed (strings). */
  draft: Record<string, DraftValue>;
  /** The section being saved. */
  saving: string | null;
  /** The last save that failed: its section and error. */
  failure: { section: string; error: unknown } | null;
  /**
   * Fields that the server refused (400 `details.fields`, by path) or that are not whole
   * numbers here (`integer`): the server's messages are English, so the page shows its own
   * text with the field's range.
   */
  invalid: Record<string, 'server' | 'integer'>;
  /** The last section saved, for a "Saved" note; cleared by the next edit. */
  savedSection: string | null;
}

export interface SettingsApi {
  get(): Promise<SettingsResponse>;
  update(patch: SettingsPatch): Promise<SettingsResponse>;
}

function valueAt(settings: Record<string, unknown>, field: SettingsField): unknown {
  if (field.section === ACCESS_SECTION) return settings[field.key];
  return (settings[field.section] as Record<string, unknown> | undefined)?.[field.key];
}

function toDraft(field: SettingsField, value: unknown): DraftValue {
  if (field.kind === 'bool') return value === true;
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

export class SettingsForm {
  readonly sections: SettingsSection[];
  private _state: SettingsFormState = {
    status: 'loading',
    error: null,
    saved: null,
    draft: {},
    saving: null,
    failure: null,
    invalid: {},
    savedSection: null,
  };
  private readonly events = new Emitter<{ change: (s: SettingsFormState) => void }>();

  constructor(
    private readonly api: SettingsApi,
    sections: SettingsSection[] = settingsSections(),
  ) {
    this.sections = sections;
  }

  get state(): SettingsFormState {
    return this._state;
  }

  on(event: 'change', fn: (s: SettingsFormState) => void): () => void {
    return this.events.on(event, fn);
  }

  async load(): Promise<void> {
    this.patch({ status: 'loading', error: null });
    try {
      const saved = await this.api.get();
      this.patch({ status: 'ready', saved, draft: this.draftOf(saved, this.allFields()) });
    } catch (error) {
      this.patch({ status: 'failed', error });
    }
  }

  set(path: string, value: DraftValue): void {
    const { [path]: _fixed, ...invalid } = this._state.invalid;
    this.patch({ draft: { ...this._state.draft, [path]: value }, invalid, savedSection: null });
  }

  /** The fields of a section whose draft differs from what is saved. */
  changed(section: string): SettingsField[] {
    const saved = this._state.saved;
    if (!saved) return [];
    const current = this.draftOf(saved, this.fieldsOf(section));
    return this.fieldsOf(section).filter((f) => this._state.draft[f.path] !== current[f.path]);
  }

  /** Puts a section back to what is saved. */
  reset(section: string): void {
    const saved = this._state.saved;
    if (!saved) return;
    const invalid = { ...this._state.invalid };
    for (const f of this.fieldsOf(section)) delete invalid[f.path];
    this.patch({
      draft: { ...this._state.draft, ...this.draftOf(saved, this.fieldsOf(section)) },
      invalid,
      failure: null,
    });
  }

  /** Sends the section's changes; nothing when there are none or one is not a whole number. */
  async save(section: string): Promise<void> {
    if (this._state.saving) return;
    const fields = this.changed(section);
    if (fields.length === 0) return;
    const invalid = { ...this._state.invalid };
    const values: Record<string, unknown> = {};
    for (const f of fields) {
      const raw = this._state.draft[f.path];
      if (f.kind === 'int') {
        const n = typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : NaN;
        if (!Number.isSafeInteger(n)) invalid[f.path] = 'integer';
        else values[f.key] = n;
      } else {
        values[f.key] = raw;
      }
    }
    if (fields.some((f) => invalid[f.path] === 'integer')) {
      this.patch({ invalid });
      return;
    }
    const patch = (section === ACCESS_SECTION ? values : { [section]: values }) as SettingsPatch;

    this.patch({ saving: section, failure: null, savedSection: null });
    try {
      const saved = await this.api.update(patch);
      // Only this section takes the server's values; other sections keep their edits.
      this.patch({
        saved,
        saving: null,
        savedSection: section,
        draft: { ...this._state.draft, ...this.draftOf(saved, this.fieldsOf(section)) },
        invalid: this.withoutSection(section),
      });
    } catch (error) {
      const refused = { ...this.withoutSection(section) };
      if (error instanceof ApiError) {
        for (const path of Object.keys(error.fields)) {
          if (this.fieldsOf(section).some((f) => f.path === path)) refused[path] = 'server';
        }
      }
      this.patch({ saving: null, failure: { section, error }, invalid: refused });
    }
  }

  dispose(): void {
    this.events.clear();
  }

  private allFields(): SettingsField[] {
    return this.sections.flatMap((s) => s.fields);
  }

  private fieldsOf(section: string): SettingsField[] {
    return this.sections.find((s) => s.key === section)?.fields ?? [];
  }

  private draftOf(saved: SettingsResponse, fields: SettingsField[]): Record<string, DraftValue> {
    const settings = saved.settings as unknown as Record<string, unknown>;
    return Object.fromEntries(fields.map((f) => [f.path, toDraft(f, valueAt(settings, f))]));
  }

  private withoutSection(section: string): Record<string, 'server' | 'integer'> {
    const paths = new Set(this.fieldsOf(section).map((f) => f.path));
    return Object.fromEntries(
      Object.entries(this._state.invalid).filter(([path]) => !paths.has(path)),
    );
  }

  private patch(p: Partial<SettingsFormState>): void {
    this._state = { ...this._state, ...p };
    this.events.emit('change', this._state);
  }
}
