import type { LobbyEntry } from '@parley/protocol';
import { formatDuration } from '../components/call/format';
import { linkTrouble } from '../calls';
import type { CallConnection } from '../calls';
import { handQueue } from './layout-state';
import { SELF } from './types';
import type { CallPageState, CallPanel, CallPerson, LocalState, RemoteTile } from './types';

// Small pure rules of what the page shows, kept apart from the model so each has a name.

/**
 * The meeting's running time by the server's clock, the same for everyone in it:
 * `serverNow - meetingStartedAt`. `00:00` until the start is known.
 */
export function meetingTime(meetingStartedAt: number | null, serverNow: number): string {
  return meetingStartedAt === null ? '00:00' : formatDuration(serverNow - meetingStartedAt);
}

/** The lobby toast: knockers not dismissed, for a moderator without the people panel open. */
export function lobbyToast(
  lobby: readonly LobbyEntry[],
  dismissed: ReadonlySet<string>,
  canModerate: boolean,
  panel: CallPanel | null,
): LobbyEntry[] {
  if (!canModerate || panel === 'participants') return [];
  return lobby.filter((e) => !dismissed.has(e.user.id));
}

/** Alone in a connected call: a direct call waits for the other person; a meeting shows the card. */
export function aloneHint(o: {
  state: CallPageState;
  connection: CallConnection;
  others: number;
  dismissed: boolean;
  direct: boolean;
  appointmentRoom: boolean;
}): 'direct-waiting' | 'card' | null {
  if (o.state.kind !== 'in-call' || o.connection !== 'connected' || o.others > 0) return null;
  if (o.direct) return 'direct-waiting';
  return o.dismissed || o.appointmentRoom ? null : 'card';
}

/**
 * One list for the stage and the people panel: the others in arrival order, then me, each
 * with their place in the raised-hand queue.
 */
export function peopleOf(
  remotes: readonly RemoteTile[],
  me: {
    connectionId: string | undefined;
    userId: string;
    name: string;
    isGuest: boolean;
    role: CallPerson['role'];
    handRaisedAt: string | null | undefined;
  },
  local: LocalState | undefined,
): CallPerson[] {
  const people = withoutPositions(remotes, me, local);
  const queue = handQueue(people.map((p) => ({ id: p.key, handRaisedAt: p.handRaisedAt })));
  const place = new Map(queue.map((key, i) => [key, i + 1]));
  return people.map((p) => ({ ...p, handPosition: place.get(p.key) ?? null }));
}

function withoutPositions(
  remotes: readonly RemoteTile[],
  me: Parameters<typeof peopleOf>[1],
  local: LocalState | undefined,
): Omit<CallPerson, 'handPosition'>[] {
  const others: Omit<CallPerson, 'handPosition'>[] = remotes.map((r) => ({
    key: r.connectionId,
    connectionId: r.connectionId,
    userId: r.userId,
    name: r.name,
    role: r.role,
    isGuest: r.isGuest,
    self: false,
    audio: r.audio,
    video: r.video,
    screen: r.screen,
    handRaisedAt: r.handRaisedAt,
    cameraTrack: r.videoTrack,
    screenTrack: r.screenTrack,
    quality: r.quality,
    stats: r.stats,
    connectionState: r.connectionState,
    trouble: linkTrouble(r.connectionState, r.health),
  }));
  if (!local) return others;
  const raised = me.handRaisedAt ? Date.parse(me.handRaisedAt) : NaN;
  return [
    ...others,
    {
      key: SELF,
      connectionId: me.connectionId,
      userId: me.userId,
      name: me.name,
      role: me.role,
      isGuest: me.isGuest,
      self: true,
      audio: local.micOn,
      video: local.cameraOn,
      screen: local.sharing,
      // My hand as the server last echoed it; raised but not echoed yet: queued last.
      handRaisedAt: local.handRaised
        ? Number.isNaN(raised)
          ? Number.MAX_SAFE_INTEGER
          : raised
        : null,
      cameraTrack: local.videoTrack,
      screenTrack: local.screenTrack,
      mirrored: !local.usingPlaceholder,
    },
  ];
}

const isPlain = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && Object.getPrototypeOf(x) === Object.prototype;

function shallowEqual(a: unknown, b: unknown, depth = 1): boolean {
  if (a === b) return true;
  if (!a || !b || typeof a !== 'object' || typeof b !== 'object') return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => {
    const x = (a as Record<string, unknown>)[k];
    const y = (b as Record<string, unknown>)[k];
    // A field that is itself a plain record (a link's health, read as a fresh copy each
    // time) compares by its fields; tracks, streams and lists by identity.
    return x === y || (depth > 0 && isPlain(x) && isPlain(y) && shallowEqual(x, y, depth - 1));
  });
}

/**
 * `prev` when `next` says the same (an object, or a list of objects, equal field by field,
 * or a set with the same members): the snapshot is rebuilt on every tick of the clock, and
 * an unchanged list keeps its identity so the stage and the panel do not redraw for nothing.
 */
export function same<T>(prev: T, next: T): T {
  // Before the object case: a set has no own keys, so any two would look equal there.
  if (prev instanceof Set && next instanceof Set) {
    return prev.size === next.size && [...prev].every((x) => next.has(x)) ? prev : next;
  }
  if (Array.isArray(prev) && Array.isArray(next)) {
    return prev.length === next.length && prev.every((p, i) => shallowEqual(p, next[i]))
      ? prev
      : next;
  }
  return shallowEqual(prev, next) ? prev : next;
}
