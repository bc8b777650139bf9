import type { Call, CallMedia, PresenceChangedMessage } from '@parley/protocol';
import { ApiError } from '../api/errors';
import { systemClock } from '../calls/clock';
import type { Clock, TimerId } from '../calls/clock';
import { Emitter } from '../calls/emitter';
import type { CallAlerts, PhoneApi, PhoneSocket, Ringer } from './ports';
import { IDLE, INITIAL_PHONE_STATE, isOutcome, otherParty } from './state';
import type { IncomingState, OutgoingState, PhoneState } from './state';

export interface PhoneOptions {
  /** The signed-in member. */
  userId: string;
  socket: PhoneSocket;
  api: PhoneApi;
  ringer?: Ringer;
  alerts?: CallAlerts;
  clock?: Clock;
  /** How long a "answered on another device" note stays before the card goes. */
  noteMs?: number;
  onError?: (error: unknown, context: string) => void;
}

type PhoneEvents = {
  change: (state: PhoneState) => void;
  /** Go to the call's room now: this device accepted, or the person called accepted. */
  'enter-call': (call: Call, media: CallMedia) => void;
  /** `call.ended` of any call of this person (the call page listens for its own). */
  'call-ended': (call: Call) => void;
  /** Any news about a call of this person, after the phone took it in. */
  call: (call: Call) => void;
  presence: (msg: PresenceChangedMessage) => void;
};

/** Codes meaning "that call has moved on": show what it became instead of an error. */
const MOVED_ON = new Set(['INVALID_CALL_STATE', 'CALL_NOT_FOUND']);
const movedOn = (err: unknown) => err instanceof ApiError && MOVED_ON.has(err.code);

/** Calls remembered by id, so a reply that arrives after the socket's news cannot undo it. */
const MAX_REMEMBERED = 50;
const rank = (c: Call) => (c.state === 'ringing' ? 0 : c.state === 'accepted' ? 1 : 2);

/**
 * The app's phone: one per tab while a member is signed in. It listens on a socket that joins
 * no room for `call.*` and `presence.changed`, keeps what is ringing here and what this tab is
 * calling as tagged unions (state.ts), and turns the person's intents into the server's
 * transitions. The server owns the call; this only mirrors it, so after every (re)connect it
 * asks the server what is active (`sync`) instead of trusting what it heard.
 */
export class Phone {
  private _state: PhoneState = INITIAL_PHONE_STATE;
  private readonly events = new Emitter<PhoneEvents>();
  private readonly clock: Clock;
  private readonly offs: (() => void)[] = [];
  /** Calls this device accepted: `call.answered-elsewhere` about them is about this device. */
  private readonly answeredHere = new Set<string>();
  private readonly latest = new Map<string, Call>();
  private noteTimer: TimerId | undefined;
  private alert: { callId: string; close(): void } | undefined;
  private disposed = false;

  constructor(private readonly opts: PhoneOptions) {
    this.clock = opts.clock ?? systemClock;
  }

  get state(): PhoneState {
    return this._state;
  }

  get userId(): string {
    return this.opts.userId;
  }

  on<K extends keyof PhoneEvents>(event: K, fn: PhoneEvents[K]): () => void {
    return this.events.on(event, fn);
  }

  /** Subscribes to the socket and connects; `sync` runs after every `welcome`. */
  start(): void {
    const s = this.opts.socket;
    // Every call message updates the state, then tells the pages (the history) what it heard.
    const heard = (handle: (call: Call) => void) => (m: { call: Call }) => {
      handle(m.call);
      this.events.emit('call', this.latest.get(m.call.id) ?? m.call);
    };
    this.offs.push(
      s.on('welcome', () => void this.sync()),
      s.on(
        'call.incoming',
        heard((c) => this.onIncoming(c)),
      ),
      s.on(
        'call.answered-elsewhere',
        heard((c) => this.onAnsweredElsewhere(c)),
      ),
      s.on(
        'call.accepted',
        heard((c) => this.onAccepted(c)),
      ),
      s.on(
        'call.rejected',
        heard((c) => this.onFinal(c)),
      ),
      s.on(
        'call.cancelled',
        heard((c) => this.onFinal(c)),
      ),
      s.on(
        'call.missed',
        heard((c) => this.onFinal(c)),
      ),
      s.on(
        'call.busy',
        heard((c) => this.onFinal(c)),
      ),
      s.on(
        'call.ended',
        heard((c) => this.onFinal(c)),
      ),
      s.on('presence.changed', (m) => this.events.emit('presence', m)),
    );
    s.connect().catch((err: unknown) => this.report(err, 'socket'));
  }

  /** Stops ringing, closes the socket; the phone is done. */
  dispose(): void {
    if (this.disposed) return;
    for (const off of this.offs.splice(0)) off();
    this.setIncoming(IDLE);
    this.clearNote();
    this.disposed = true;
    this.opts.socket.close();
    this.events.clear();
  }

  // ---- intents ----

  /** Calls `callee`. Resolves with the call (maybe `busy` at once); rejects with the ApiError. */
  async place(callee: { id: string }, media: CallMedia): Promise<Call> {
    const placed = this.remember(await this.opts.api.place(callee.id, media));
    this.adoptOutgoing(placed);
    return placed;
  }

  /** Calls the other party of `call` again (history, the outcome screen). */
  callBack(call: Call, media: CallMedia = call.media): Promise<Call> {
    return this.place(otherParty(call, this.opts.userId), media);
  }

  /** Answers the ringing call; `enter-call` follows with the room. */
  async accept(media: CallMedia): Promise<void> {
    const s = this._state.incoming;
    if (s.kind !== 'ringing') return;
    const { call } = s;
    this.answeredHere.add(call.id);
    this.setIncoming({ kind: 'answering', call });
    try {
      const accepted = this.remember(await this.opts.api.act(call.id, 'accept'));
      if (!this.isIncoming(call.id, 'answering')) return;
      this.setIncoming(IDLE);
      if (accepted.room) this.events.emit('enter-call', accepted, media);
    } catch (err) {
      this.answeredHere.delete(call.id);
      if (!this.isIncoming(call.id, 'answering')) return;
      if (movedOn(err)) return this.showNote(call, 'unavailable');
      this.setIncoming({ kind: 'ringing', call, error: errorCode(err) });
    }
  }

  /** Declines the ringing call: the ringing stops here at once. */
  async reject(): Promise<void> {
    const s = this._state.incoming;
    if (s.kind !== 'ringing') return;
    this.setIncoming(IDLE);
    try {
      this.remember(await this.opts.api.act(s.call.id, 'reject'));
    } catch (err) {
      if (!movedOn(err)) this.report(err, 'reject');
    }
  }

  /** Hangs up the call this device is placing, before an answer. */
  async cancel(): Promise<void> {
    const s = this._state.outgoing;
    if (s.kind !== 'calling') return;
    this.setOutgoing({ kind: 'cancelling', call: s.call });
    try {
      this.adoptOutgoing(this.remember(await this.opts.api.act(s.call.id, 'cancel')));
    } catch (err) {
      // Answered, declined or missed meanwhile: show what it became.
      if (movedOn(err)) return this.refreshOutgoing(s.call.id);
      if (this.isOutgoing(s.call.id, 'cancelling')) this.setOutgoing(s);
      throw err;
    }
  }

  /** Ends an accepted call for both parties; resolves with the ended call when known. */
  async hangUp(callId: string): Promise<Call | undefined> {
    try {
      return this.remember(await this.opts.api.act(callId, 'end'));
    } catch (err) {
      if (!movedOn(err)) throw err;
      return this.remember(await this.opts.api.get(callId));
    }
  }

  /**
   * Takes over a call this person placed, as the outgoing page found it after a reload (the
   * state of this tab was lost with it).
   */
  track(call: Call): void {
    if (call.caller.id !== this.opts.userId) return;
    const known = this.remember(call);
    const current = this._state.outgoing;
    if (current.kind !== 'idle' && current.call.id === known.id) return;
    this.adoptOutgoing(known, { enter: false });
  }

  /** Forgets a finished outgoing call (its page was left). */
  dismissOutgoing(): void {
    const s = this._state.outgoing;
    if (s.kind === 'finished' || s.kind === 'idle') this.setOutgoing(IDLE);
  }

  /** Closes the "answered elsewhere" note now. */
  dismissNote(): void {
    if (this._state.incoming.kind === 'gone') this.setIncoming(IDLE);
  }

  /** Marks missed calls seen (the history page); the badge comes back from the server. */
  async markSeen(callIds: readonly string[]): Promise<void> {
    if (callIds.length === 0) return;
    const results = await Promise.allSettled(callIds.map((id) => this.opts.api.act(id, 'seen')));
    for (const r of results) if (r.status === 'rejected') this.report(r.reason, 'seen');
    await this.sync();
  }

  /**
   * Reconciles with the server: the badge, a ringing call whose `call.incoming` was missed
   * while the socket was down, and the fate of a call that stopped ringing meanwhile.
   */
  async sync(): Promise<void> {
    const before = this._state;
    let res: Awaited<ReturnType<PhoneApi['active']>>;
    try {
      res = await this.opts.api.active();
    } catch (err) {
      return this.report(err, 'sync');
    }
    if (this.disposed) return;
    for (const c of res.calls) this.remember(c);
    this.patch({ unseenMissed: res.unseenMissed });
    const me = this.opts.userId;
    const active = new Map(res.calls.map((c) => [c.id, c]));

    const inc = this._state.incoming;
    if (
      inc.kind === 'ringing' &&
      before.incoming === inc &&
      active.get(inc.call.id)?.state !== 'ringing'
    ) {
      this.setIncoming(IDLE);
    } else if (inc.kind === 'idle') {
      const ringing = res.calls.find(
        (c) => c.state === 'ringing' && c.callee.id === me && !this.answeredHere.has(c.id),
      );
      if (ringing) this.setIncoming({ kind: 'ringing', call: ringing });
    }

    const out = this._state.outgoing;
    if (out.kind === 'calling' && before.outgoing === out) {
      const now = active.get(out.call.id);
      if (now) this.adoptOutgoing(now);
      else await this.refreshOutgoing(out.call.id);
    }
  }

  // ---- what the socket says ----

  private onIncoming(raw: Call): void {
    const call = this.remember(raw);
    if (call.callee.id !== this.opts.userId || call.state !== 'ringing') return;
    if (this.answeredHere.has(call.id)) return;
    this.setIncoming({ kind: 'ringing', call });
  }

  private onAnsweredElsewhere(raw: Call): void {
    const call = this.remember(raw);
    if (this.answeredHere.has(call.id)) return;
    const s = this._state.incoming;
    if (s.kind === 'ringing' && s.call.id === call.id) this.showNote(call, 'answered-elsewhere');
  }

  private onAccepted(raw: Call): void {
    const call = this.remember(raw);
    const s = this._state.outgoing;
    if ((s.kind === 'calling' || s.kind === 'cancelling') && s.call.id === call.id) {
      this.adoptOutgoing(call);
    }
  }

  private onFinal(raw: Call): void {
    const call = this.remember(raw);
    const inc = this._state.incoming;
    if (inc.kind === 'ringing' && inc.call.id === call.id) this.setIncoming(IDLE);
    if (call.state === 'missed' && call.callee.id === this.opts.userId && call.missedUnseen) {
      this.patch({ unseenMissed: this._state.unseenMissed + 1 });
    }
    const out = this._state.outgoing;
    if (out.kind !== 'idle' && out.kind !== 'finished' && out.call.id === call.id) {
      this.adoptOutgoing(call);
    }
    if (call.state === 'ended') this.events.emit('call-ended', call);
  }

  // ---- state changes ----

  /** Puts a call this person placed into `outgoing` by its state. */
  private adoptOutgoing(call: Call, opts: { enter?: boolean } = {}): void {
    if (call.state === 'ringing') return this.setOutgoing({ kind: 'calling', call });
    if (call.state === 'accepted') {
      const wasConnecting = this.isOutgoing(call.id, 'connecting');
      this.setOutgoing({ kind: 'connecting', call });
      if (!wasConnecting && opts.enter !== false && call.room) {
        this.events.emit('enter-call', call, call.media);
      }
      return;
    }
    if (isOutcome(call.state)) this.setOutgoing({ kind: 'finished', call, outcome: call.state });
  }

  private async refreshOutgoing(callId: string): Promise<void> {
    try {
      const call = this.remember(await this.opts.api.get(callId));
      const s = this._state.outgoing;
      if (s.kind !== 'idle' && s.call.id === callId) this.adoptOutgoing(call);
    } catch (err) {
      this.report(err, 'refresh');
    }
  }

  private showNote(call: Call, reason: 'answered-elsewhere' | 'unavailable'): void {
    this.setIncoming({ kind: 'gone', call, reason });
    this.noteTimer = this.clock.setTimeout(() => {
      this.noteTimer = undefined;
      const s = this._state.incoming;
      if (s.kind === 'gone' && s.call.id === call.id) this.setIncoming(IDLE);
    }, this.opts.noteMs ?? 4_000);
  }

  private setIncoming(next: IncomingState): void {
    this.clearNote();
    const prev = this._state.incoming;
    const ringing = next.kind === 'ringing';
    if (ringing) this.opts.ringer?.start();
    else if (prev.kind === 'ringing') this.opts.ringer?.stop();
    // The system notification lives as long as its call rings.
    if (this.alert && (!ringing || this.alert.callId !== next.call.id)) {
      this.alert.close();
      this.alert = undefined;
    }
    if (ringing && !this.alert && prev.kind !== 'ringing') {
      const handle = this.opts.alerts?.show(next.call);
      if (handle) this.alert = { callId: next.call.id, close: () => handle.close() };
    }
    this.patch({ incoming: next });
  }

  private setOutgoing(next: OutgoingState): void {
    this.patch({ outgoing: next });
  }

  private patch(p: Partial<PhoneState>): void {
    if (this.disposed) return;
    this._state = { ...this._state, ...p };
    this.events.emit('change', this._state);
  }

  private clearNote(): void {
    if (this.noteTimer === undefined) return;
    this.clock.clearTimeout(this.noteTimer);
    this.noteTimer = undefined;
  }

  private isIncoming(id: string, kind: IncomingState['kind']): boolean {
    const s = this._state.incoming;
    return s.kind === kind && s.kind !== 'idle' && s.call.id === id;
  }

  private isOutgoing(id: string, kind: OutgoingState['kind']): boolean {
    const s = this._state.outgoing;
    return s.kind === kind && s.kind !== 'idle' && s.call.id === id;
  }

  /** Keeps the most advanced version of each call seen; returns it. */
  private remember(call: Call): Call {
    const known = this.latest.get(call.id);
    const best = known && rank(known) > rank(call) ? known : call;
    this.latest.delete(call.id);
    this.latest.set(call.id, best);
    if (this.latest.size > MAX_REMEMBERED) {
      const oldest = this.latest.keys().next().value;
      if (oldest !== undefined) this.latest.delete(oldest);
    }
    return best;
  }

  private report(error: unknown, context: string): void {
    (this.opts.onError ?? ((e, c) => console.warn(`[phone] ${c}`, e)))(error, context);
  }
}

function errorCode(err: unknown): string {
  return err instanceof ApiError ? err.code : 'INTERNAL';
}
