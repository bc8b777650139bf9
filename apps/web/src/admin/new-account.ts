import type { AdminCreateUserBody, AdminUser, Role } from '@parley/protocol';
import { isApiError } from '../api/errors';
import { Emitter } from '../calls/emitter';
import { fieldErrorsFrom } from '../lib/error-text';
import { check } from '../lib/validation';

/** What the admin types into the "new account" dialog. */
export interface NewAccountInput {
  email: string;
  displayName: string;
  role: Role;
  password: string;
}

export type NewAccountField = keyof NewAccountInput;

export interface NewAccountState {
  open: boolean;
  saving: boolean;
  /** Per field, the i18n key that explains what is wrong with it. */
  errors: Partial<Record<NewAccountField, string>>;
  /** A refusal that belongs to no field (shown above the form), or null. */
  failure: unknown;
  /** The account made last (the page says so and lists it), or null. */
  created: AdminUser | null;
}

/** Which message explains each field, for the client's checks and the server's alike. */
const FIELD_KEYS: Record<NewAccountField, string> = {
  email: 'validation.email',
  displayName: 'validation.displayName',
  role: 'validation.role',
  password: 'validation.password',
};
const CHECKED = ['email', 'displayName', 'password'] as const;

export const EMPTY_NEW_ACCOUNT: NewAccountInput = {
  email: '',
  displayName: '',
  role: 'member',
  password: '',
};

/**
 * The users page's "new account" dialog: an admin makes an account with a password (the way
 * in while registration is closed). The fields are checked with the server's own schemas
 * first; the server's field errors and EMAIL_TAKEN land under their fields.
 */
export class NewAccount {
  private _state: NewAccountState = {
    open: false,
    saving: false,
    errors: {},
    failure: null,
    created: null,
  };
  private readonly events = new Emitter<{ change: (s: NewAccountState) => void }>();

  constructor(
    private readonly opts: {
      create(body: AdminCreateUserBody): Promise<AdminUser>;
      /** After a success: the list shows the new account. */
      onCreated?(user: AdminUser): void;
    },
  ) {}

  get state(): NewAccountState {
    return this._state;
  }

  on(event: 'change', fn: (s: NewAccountState) => void): () => void {
    return this.events.on(event, fn);
  }

  open(): void {
    this.patch({ open: true, saving: false, errors: {}, failure: null });
  }

  close(): void {
    if (this._state.saving) return;
    this.patch({ open: false, errors: {}, failure: null });
  }

  /** Sends the form; true when the account was made (the dialog has closed). */
  async submit(input: NewAccountInput): Promise<boolean> {
    if (this._state.saving) return false;
    const body: AdminCreateUserBody = {
      email: input.email.trim(),
      displayName: input.displayName.trim(),
      role: input.role,
      password: input.password,
    };
    const errors: NewAccountState['errors'] = {};
    for (const field of CHECKED) {
      const problem = check(field, body[field]);
      if (problem) errors[field] = problem;
    }
    this.patch({ errors, failure: null });
    if (Object.keys(errors).length) return false;

    this.patch({ saving: true });
    try {
      const created = await this.opts.create(body);
      this.patch({ open: false, saving: false, created });
      this.opts.onCreated?.(created);
      return true;
    } catch (err) {
      const fields: NewAccountState['errors'] = fieldErrorsFrom(err, FIELD_KEYS);
      if (isApiError(err, 'EMAIL_TAKEN')) fields.email = 'errors.EMAIL_TAKEN';
      const known = Object.keys(fields).length > 0;
      this.patch({ saving: false, errors: fields, failure: known ? null : err });
      return false;
    }
  }

  dispose(): void {
    this.events.clear();
  }

  private patch(p: Partial<NewAccountState>): void {
    this._state = { ...this._state, ...p };
    this.events.emit('change', this._state);
  }
}
