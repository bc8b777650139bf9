import { Emitter } from '../calls/emitter';

export interface ConfirmState<A> {
  /** The action waiting for "yes" (the dialog is open while this is set). */
  pending: A | null;
  saving: boolean;
  /** Why the last "yes" failed; the dialog stays open and shows it. */
  failure: unknown;
}

/**
 * An action that needs a "yes" first (disable an account, close a room): `ask` opens the
 * dialog, `confirm` runs it and closes the dialog on success, `cancel` forgets it.
 */
export class Confirmation<A> {
  private _state: ConfirmState<A> = { pending: null, saving: false, failure: null };
  private readonly events = new Emitter<{ change: (s: ConfirmState<A>) => void }>();

  constructor(private readonly run: (action: A) => Promise<void>) {}

  get state(): ConfirmState<A> {
    return this._state;
  }

  on(event: 'change', fn: (s: ConfirmState<A>) => void): () => void {
    return this.events.on(event, fn);
  }

  ask(action: A): void {
    this.patch({ pending: action, saving: false, failure: null });
  }

  cancel(): void {
    if (this._state.saving) return;
    this.patch({ pending: null, failure: null });
  }

  async confirm(): Promise<void> {
    const action = this._state.pending;
    if (!action || this._state.saving) return;
    this.patch({ saving: true, failure: null });
    try {
      await this.run(action);
      this.patch({ pending: null, saving: false });
    } catch (failure) {
      this.patch({ saving: false, failure });
    }
  }

  dispose(): void {
    this.events.clear();
  }

  private patch(p: Partial<ConfirmState<A>>): void {
    this._state = { ...this._state, ...p };
    this.events.emit('change', this._state);
  }
}
