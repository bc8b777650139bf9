import type {
  LobbyEntry,
  MuteAllResponse,
  ParticipantRole,
  RoomParticipant,
  RosterEntry,
  ServerMessageOf,
  User,
} from '@parley/protocol';
import type { AuditLog } from '../../platform/audit.js';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db/database.js';
import type { RoomsTable } from '../../platform/db/schema.js';
import type { Bus, LiveStore, Locks, Roster } from '../../platform/live/index.js';
import type { RequestContext } from '../../platform/request-context.js';
import { RoomErrors } from './errors.js';
import { isPersonal } from './personal.js';
import type { RoomsRepo } from './repo.js';
import { toParticipant } from './views.js';

// What a host or co-host does to the people in the call (mute, ask everyone to mute, lower
// a hand, the spotlight), and who moderates once they have all left (the handover). These
// act on the live roster, so each runs under the room's live lock, which every process
// shares and which joins and departures hold too (signaling's membership.ts): a change
// never interleaves with someone entering or leaving, and its notices keep that order.

/** The connection a host shows large to everyone; one per room, in the live store. */
export type Spotlight = { connectionId: string };

export type ModerationDeps = {
  db: Db;
  repo: RoomsRepo;
  bus: Pick<Bus, 'toRoom' | 'toUser'>;
  roster: Pick<Roster, 'list' | 'get' | 'update' | 'setRoleForUser'>;
  locks: Pick<Locks, 'run'>;
  spotlights: LiveStore<Spotlight>;
  clock: Clock;
  audit: AuditLog;
  /** The room, if `actorId` is its host or a co-host (see the rooms service). */
  requireModerator(roomId: string, actorId: string): Promise<RoomsTable>;
  /** Who is waiting in the lobby now, for whoever starts moderating. */
  lobby(roomId: string): Promise<LobbyEntry[]>;
};

type PersonAction = 'mute' | 'lower-hand';

const moderates = (role: ParticipantRole) => role === 'host' || role === 'cohost';

export function createModeration(deps: ModerationDeps) {
  const { db, repo, bus, roster, locks, spotlights, clock, audit } = deps;
  const by = (actor: User) => ({ id: actor.id, displayName: actor.displayName });

  /** An open room the actor moderates (404 / 403 NOT_HOST otherwise, 410 once ended). */
  async function openRoomOf(roomId: string, actor: User): Promise<RoomsTable> {
    const room = await deps.requireModerator(roomId, actor.id);
    if (room.status === 'closed') throw RoomErrors.closed();
    return room;
  }

  /** Writes one roster entry's change and tells the room; nothing when nothing changes. */
  async function patchEntry(
    roomId: string,
    entry: RosterEntry,
    patch: Pick<RosterEntry, 'media'> & Partial<Pick<RosterEntry, 'handRaisedAt'>>,
  ): Promise<void> {
    const same =
      JSON.stringify(entry.media) === JSON.stringify(patch.media) &&
      (patch.handRaisedAt === undefined || patch.handRaisedAt === entry.handRaisedAt);
    if (same) return;
    const updated = await roster.update(roomId, entry.connectionId, patch);
    if (!updated) return;
    const notice: ServerMessageOf<'participant.updated'> = {
      type: 'participant.updated',
      roomId,
      participant: updated,
    };
    await bus.toRoom(roomId, notice);
  }

  const change = (action: PersonAction | 'mute-all', e: RosterEntry) =>
    action === 'lower-hand'
      ? { media: { ...e.media, handRaised: false }, handRaisedAt: null }
      : { media: { ...e.media, audio: false } };

  /**
   * Mutes someone, or lowers their hand: every connection of theirs in the call. They are
   * told (`moderation.applied`) even when it changed nothing, so a client whose report
   * lagged still turns its microphone off. Unmuting stays their own choice.
   */
  async function actOn(
    roomId: string,
    targetId: string,
    actor: User,
    action: PersonAction,
    origin: RequestContext,
  ): Promise<RoomParticipant> {
    const room = await openRoomOf(roomId, actor);
    const target = await repo.findParticipant(db, roomId, targetId);
    if (!target) throw RoomErrors.participantNotFound();
    // A co-host moderates everyone but the host.
    if (targetId === room.host_id && actor.id !== room.host_id) throw RoomErrors.notHost();
    await locks.run(roomId, async () => {
      const theirs = (await roster.list(roomId)).filter((e) => e.userId === targetId);
      if (theirs.length === 0) throw RoomErrors.notInCall();
      for (const e of theirs) await patchEntry(roomId, e, change(action, e));
    });
    await bus.toUser(targetId, { type: 'moderation.applied', roomId, action, by: by(actor) });
    if (action === 'mute') {
      await audit.record({
        type: 'room.muted',
        actorId: actor.id,
        origin,
        targetType: 'user',
        targetId,
        details: { roomId },
      });
    }
    return toParticipant(target);
  }

  /** Orders who takes over: members before guests, then who has been in the call longest. */
  function successors(present: RosterEntry[]): string[] {
    const first = new Map<string, { since: string; isGuest: boolean }>();
    for (const e of present) {
      const seen = first.get(e.userId);
      if (!seen || e.joinedAt < seen.since)
        first.set(e.userId, { since: e.joinedAt, isGuest: e.isGuest });
    }
    return [...first.entries()]
      .sort(
        ([idA, a], [idB, b]) =>
          Number(a.isGuest) - Number(b.isGuest) ||
          a.since.localeCompare(b.since) ||
          idA.localeCompare(idB),
      )
      .map(([id]) => id);
  }

  return {
    mute: (roomId: string, targetId: string, actor: User, origin: RequestContext) =>
      actOn(roomId, targetId, actor, 'mute', origin),
    lowerHand: (roomId: string, targetId: string, actor: User, origin: RequestContext) =>
      actOn(roomId, targetId, actor, 'lower-hand', origin),

    /**
     * Asks everyone in the call but the caller to mute (a co-host's request spares the
     * host). Returns how many people were asked.
     */
    async muteAll(roomId: string, actor: User, origin: RequestContext): Promise<MuteAllResponse> {
      const room = await openRoomOf(roomId, actor);
      const asked = await locks.run(roomId, async () => {
        const people = new Set<string>();
        for (const e of await roster.list(roomId)) {
          if (e.userId === actor.id) continue;
          if (e.userId === room.host_id && actor.id !== room.host_id) continue;
          people.add(e.userId);
          await patchEntry(roomId, e, change('mute-all', e));
        }
        return people;
      });
      for (const id of asked) {
        await bus.toUser(id, {
          type: 'moderation.applied',
          roomId,
          action: 'mute-all',
          by: by(actor),
        });
      }
      await audit.record({
        type: 'room.muted',
        actorId: actor.id,
        origin,
        targetType: 'room',
        targetId: roomId,
        details: { all: true, muted: asked.size },
      });
      return { muted: asked.size };
    },

    /**
     * Shows one connection of the call large to everyone (null: nobody). Kept until it is
     * replaced, that connection leaves the call, or the room closes; a newcomer finds it in
     * `room.joined.spotlight`.
     */
    async spotlight(roomId: string, connectionId: string | null, actor: User): Promise<void> {
      await openRoomOf(roomId, actor);
      await locks.run(roomId, async () => {
        if (connectionId === null) {
          await spotlights.delete(roomId);
        } else {
          if (!(await roster.get(roomId, connectionId))) throw RoomErrors.notInCall();
          const value = { connectionId };
          await spotlights.update(roomId, value, () => value);
        }
        await bus.toRoom(roomId, { type: 'room.spotlight', roomId, connectionId, by: by(actor) });
      });
    },

    /** The spotlight as `room.joined` carries it. Under the room's lock (the gate's enter). */
    async spotlightOf(roomId: string): Promise<string | null> {
      return (await spotlights.get(roomId))?.connectionId ?? null;
    },

    /** A connection left the call: a spotlight on it goes. Under the room's lock. */
    async departed(roomId: string, connectionId: string): Promise<void> {
      if ((await spotlights.get(roomId))?.connectionId === connectionId) {
        await spotlights.delete(roomId);
      }
    },

    /** The room closed: nothing of its call is kept. */
    forget(roomId: string): Promise<void> {
      return spotlights.delete(roomId);
    },

    /** See RoomGate.handOver; the caller holds the room's lock. */
    async handOver(roomId: string, goneId: string): Promise<void> {
      const room = await repo.findRoom(db, roomId);
      // Nobody moderates a direct call or an appointment.
      if (!room || room.status !== 'open' || isPersonal(room)) return;
      const gone = await repo.findParticipant(db, roomId, goneId);
      if (!gone || !moderates(gone.role)) return;
      const present = await roster.list(roomId);
      if (present.length === 0 || present.some((e) => moderates(e.role))) return;
      const at = clock.now().toISOString();
      for (const userId of successors(present)) {
        // Their seat may have changed meanwhile (a kick over HTTP): then the next one.
        if (
          !(await repo.transition(db, roomId, userId, ['approved'], {
            role: 'cohost',
            updated_at: at,
          }))
        ) {
          continue;
        }
        await repo.activity(db, {
          roomId,
          kind: 'promoted',
          userId,
          actorId: null,
          at,
          details: { reason: 'handover', after: goneId },
        });
        for (const entry of await roster.setRoleForUser(roomId, userId, 'cohost')) {
          await bus.toRoom(roomId, { type: 'participant.updated', roomId, participant: entry });
        }
        await bus.toUser(userId, {
          type: 'moderation.granted',
          roomId,
          role: 'cohost',
          reason: 'handover',
          lobby: await deps.lobby(roomId),
        });
        return;
      }
    },
  };
}
export type Moderation = ReturnType<typeof createModeration>;
