import type { Call, CallMedia, ServerMessageOf, ServerMessageType } from '@parley/protocol';
import type { PhoneApi, PhoneSocket, Ringer } from '../ports';

export const ME = '11111111-1111-4111-8111-111111111111';
export const BOB = '22222222-2222-4222-8222-222222222222';
export const CALL_ID = '33333333-3333-4333-8333-333333333333';
export const OUT_ID = '55555555-5555-4555-8555-555555555555';
export const ROOM_ID = '44444444-4444-4444-8444-444444444444';

/** A call between BOB (caller) and ME (callee) unless overridden. */
export function makeCall(over: Partial<Call> = {}): Call {
  const outgoing = over.caller?.id === ME;
  return {
    id: CALL_ID,
    caller: { id: BOB, displayName: 'Bob Caller' },
    callee: { id: ME, displayName: 'Me' },
    media: 'video',
    state: 'ringing',
    direction: outgoing ? 'outgoing' : 'incoming',
    room: null,
    createdAt: '2025-01-01T10:00:00.000Z',
    answeredAt: null,
    connectedAt: null,
    endedAt: null,
    durationSeconds: null,
    endedBy: null,
    endReason: null,
    missedUnseen: false,
    ...over,
  };
}

/** A call ME placed to BOB. */
export function myCall(over: Partial<Call> = {}): Call {
  return makeCall({
    id: OUT_ID,
    caller: { id: ME, displayName: 'Me' },
    callee: { id: BOB, displayName: 'Bob Callee' },
    direction: 'outgoing',
    ...over,
  });
}

export const ROOM = { id: ROOM_ID, code: 'abc-defg-hjk' };

/** The phone's socket: the test delivers messages with `emit`. */
export class FakePhoneSocket implements PhoneSocket {
  connected = 0;
  closed = false;
  private readonly listeners = new Map<string, Set<(msg: never) => void>>();

  connect(): Promise<void> {
    this.connected += 1;
    return Promise.resolve();
  }

  on<T extends ServerMessageType>(type: T, fn: (msg: ServerMessageOf<T>) => void): () => void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    const listener: (msg: never) => void = fn;
    set.add(listener);
    return () => set.delete(listener);
  }

  close(): void {
    this.closed = true;
  }

  emit<T extends ServerMessageType>(msg: ServerMessageOf<T>): void {
    for (const fn of [...(this.listeners.get(msg.type) ?? [])])
      (fn as (m: typeof msg) => void)(msg);
  }

  /** `{type, call}` for one of the call notices. */
  call(type: Extract<ServerMessageType, `call.${string}`>, call: Call): void {
    this.emit({ type, call });
  }
}

type Action = Parameters<PhoneApi['act']>[1];

/** The phone's routes; each answer is whatever the test put in `next` (default: echo). */
export class FakePhoneApi implements PhoneApi {
  readonly calls: string[] = [];
  placed: Call = myCall();
  byAction = new Map<Action, () => Promise<Call>>();
  getAnswer: () => Promise<Call> = () => Promise.resolve(makeCall());
  activeAnswer: () => Promise<{ calls: Call[]; unseenMissed: number }> = () =>
    Promise.resolve({ calls: [], unseenMissed: 0 });

  place(calleeId: string, media: CallMedia): Promise<Call> {
    this.calls.push(`place ${calleeId} ${media}`);
    return Promise.resolve(this.placed);
  }

  act(id: string, action: Action): Promise<Call> {
    this.calls.push(`${action} ${id}`);
    const answer = this.byAction.get(action);
    return answer ? answer() : Promise.resolve(makeCall({ id }));
  }

  get(id: string): Promise<Call> {
    this.calls.push(`get ${id}`);
    return this.getAnswer();
  }

  active(): Promise<{ calls: Call[]; unseenMissed: number }> {
    this.calls.push('active');
    return this.activeAnswer();
  }
}

export class FakeRinger implements Ringer {
  ringing = false;
  starts = 0;
  start(): void {
    if (!this.ringing) this.starts += 1;
    this.ringing = true;
  }
  stop(): void {
    this.ringing = false;
  }
}

export { deferred } from '../../lib/testing/deferred';
