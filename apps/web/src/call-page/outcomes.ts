import type { CallEnded } from '../calls';

/**
 * What becomes of the page when the call says no or ends:
 * - `end`: the end screen with this reason.
 * - `prejoin`: back to the pre-join page, which explains (not admitted, no such room).
 * - `account-disabled`: the account's own page (App.vue goes there, the engine stopped).
 * - `signed-out`: the sign-in ended elsewhere: forget it here too, and say why.
 * - `retry`: stay and offer "Try again" (ROOM_FULL, the network), with this text.
 */
export type Outcome =
  | { kind: 'end'; reason: 'left' | 'kicked' | 'ended' }
  | { kind: 'prejoin' }
  | { kind: 'account-disabled' }
  | { kind: 'signed-out' }
  | { kind: 'retry'; textKey: string | null };

const PREJOIN: Outcome = { kind: 'prejoin' };

/**
 * The one table from the server's codes to outcomes, for a refused first join and for a call
 * that ended later alike. A code not listed can be retried; its text is `errors.<CODE>` when
 * the locale has one (textKey null), else the generic network text.
 */
const OUTCOMES: Readonly<Record<string, Outcome>> = {
  LEFT: { kind: 'end', reason: 'left' },
  KICKED_FROM_ROOM: { kind: 'end', reason: 'kicked' },
  ROOM_CLOSED: { kind: 'end', reason: 'ended' },
  NOT_APPROVED: PREJOIN,
  JOIN_DENIED: PREJOIN,
  ROOM_NOT_FOUND: PREJOIN,
  ACCOUNT_DISABLED: { kind: 'account-disabled' },
  SESSION_REVOKED: { kind: 'signed-out' },
  PROTOCOL_VERSION_UNSUPPORTED: { kind: 'retry', textKey: 'call.reloadApp' },
};

/** The code an ended call stands for: its reason, or the server's code when it failed. */
export function endedCode(why: CallEnded): string {
  switch (why.reason) {
    case 'left':
      return 'LEFT';
    case 'kicked':
      return 'KICKED_FROM_ROOM';
    case 'closed':
      return 'ROOM_CLOSED';
    case 'failed':
      return why.detail || 'INTERNAL';
  }
}

export function outcomeOf(code: string): Outcome {
  return OUTCOMES[code] ?? { kind: 'retry', textKey: null };
}

/** The i18n key explaining a join that failed with `code`. */
export function joinErrorKey(code: string, exists: (key: string) => boolean): string {
  const outcome = outcomeOf(code);
  if (outcome.kind === 'retry' && outcome.textKey) return outcome.textKey;
  return exists(`errors.${code}`) ? `errors.${code}` : 'call.joinFailedText';
}
