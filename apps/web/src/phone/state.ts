import type { Call, CallState } from '@parley/protocol';

/** How a call that never became a conversation (or stopped being one) ended. */
export type CallOutcome = Exclude<CallState, 'ringing' | 'accepted'>;

/**
 * The call ringing on this device.
 * - `ringing`: the card shows, the ringtone plays; `error` when an accept failed but the call
 *   may still be answered.
 * - `answering`: this device asked to accept; it ignores `call.answered-elsewhere`.
 * - `gone`: a short note after the ringing stopped because of something the person did not do
 *   here: another device answered, or the call had already ended when they tried.
 */
export type IncomingState =
  | { kind: 'idle' }
  | { kind: 'ringing'; call: Call; error?: string }
  | { kind: 'answering'; call: Call }
  | { kind: 'gone'; call: Call; reason: 'answered-elsewhere' | 'unavailable' };

/**
 * The call this device placed.
 * - `calling`: ringing at the other end; `cancelling`: the cancel is on its way.
 * - `connecting`: accepted; the app is on its way to the call's room.
 * - `finished`: the outcome to show (busy, no answer, declined, cancelled, ended).
 */
export type OutgoingState =
  | { kind: 'idle' }
  | { kind: 'calling'; call: Call }
  | { kind: 'cancelling'; call: Call }
  | { kind: 'connecting'; call: Call }
  | { kind: 'finished'; call: Call; outcome: CallOutcome };

export interface PhoneState {
  incoming: IncomingState;
  outgoing: OutgoingState;
  /** Missed incoming calls not marked seen: the header's badge. */
  unseenMissed: number;
}

export const IDLE = { kind: 'idle' } as const;

export const INITIAL_PHONE_STATE: PhoneState = {
  incoming: IDLE,
  outgoing: IDLE,
  unseenMissed: 0,
};

/** The other party of a call, as seen by `me`. */
export function otherParty(call: Call, me: string): Call['caller'] {
  return call.caller.id === me ? call.callee : call.caller;
}

/** The call as it stands in `outgoing`, if any. */
export function outgoingCall(s: OutgoingState): Call | undefined {
  return s.kind === 'idle' ? undefined : s.call;
}

/** The call as it stands in `incoming`, if any. */
export function incomingCall(s: IncomingState): Call | undefined {
  return s.kind === 'idle' ? undefined : s.call;
}

export function isOutcome(state: CallState): state is CallOutcome {
  return state !== 'ringing' && state !== 'accepted';
}
