import type { Invite, InviteStatus, RoomEntry } from '@parley/protocol';
import { ref, shallowRef } from 'vue';

/** How long a new invite lasts, as offered (minutes): an hour, a day (the default), a week. */
export const EXPIRY_CHOICES = [60, 24 * 60, 7 * 24 * 60] as const;
export const DEFAULT_EXPIRY = 24 * 60;
/** How many people may use a new invite; null: as many as like until it expires. */
export const USES_CHOICES = [null, 1, 5, 25] as const;

/**
 * What an invite is now. The server's status is as of the listing; an active invite whose
 * expiry has passed since is shown expired (the server refuses it already).
 */
export function statusAt(invite: Invite, now: number): InviteStatus {
  if (invite.status === 'active' && Date.parse(invite.expiresAt) <= now) return 'expired';
  return invite.status;
}

/** Only a working invite is worth revoking (or copying). */
export const isLive = (invite: Invite, now: number) => statusAt(invite, now) === 'active';

/**
 * What accepting an invite does in a room with this entry: `lobby` (approval rooms, unless
 * the invite skips it), `no-password` (password rooms: the invite replaces it), `direct`.
 */
export function inviteEffect(
  entry: RoomEntry | undefined,
  skipLobby: boolean,
): 'lobby' | 'skips-lobby' | 'no-password' | 'direct' {
  if (entry === 'approval') return skipLobby ? 'skips-lobby' : 'lobby';
  if (entry === 'password') return 'no-password';
  return 'direct';
}

export type InviteListState =
  { kind: 'loading' } | { kind: 'ready' } | { kind: 'failed'; error: unknown };

export type InviteListDeps = {
  /** The room's invites, newest first. */
  load: () => Promise<Invite[]>;
  revoke: (code: string) => Promise<void>;
  now?: () => number;
};

/**
 * A room's invite list as hosts and co-hosts manage it: loaded from the server, new
 * invites put on top at once, a revoked one marked where it stands. A load that was
 * overtaken by a newer one is ignored, and an invite made while a load was on its way
 * stays listed.
 */
export function createInviteList(deps: InviteListDeps) {
  const now = deps.now ?? (() => Date.now());
  const invites = shallowRef<Invite[]>([]);
  const state = shallowRef<InviteListState>({ kind: 'loading' });
  /** Codes whose revocation is on its way. */
  const revoking = ref(new Set<string>());
  const revokeError = shallowRef<unknown>(null);
  let loads = 0;
  /** Made here since the latest load started: kept should its answer predate them. */
  let madeMeanwhile: Invite[] = [];

  async function refresh(): Promise<void> {
    const mine = ++loads;
    madeMeanwhile = [];
    if (invites.value.length === 0) state.value = { kind: 'loading' };
    try {
      const loaded = await deps.load();
      if (mine !== loads) return;
      const missing = madeMeanwhile.filter((m) => !loaded.some((i) => i.code === m.code));
      invites.value = [...missing, ...loaded];
      state.value = { kind: 'ready' };
    } catch (error) {
      if (mine !== loads) return;
      state.value = { kind: 'failed', error };
    }
  }

  function add(invite: Invite): void {
    madeMeanwhile = [invite, ...madeMeanwhile.filter((i) => i.code !== invite.code)];
    invites.value = [invite, ...invites.value.filter((i) => i.code !== invite.code)];
    if (state.value.kind !== 'ready') state.value = { kind: 'ready' };
  }

  async function revoke(code: string): Promise<void> {
    if (revoking.value.has(code)) return;
    revokeError.value = null;
    revoking.value = new Set([...revoking.value, code]);
    try {
      await deps.revoke(code);
      const at = new Date(now()).toISOString();
      invites.value = invites.value.map((i) =>
        i.code === code ? { ...i, status: 'revoked', revokedAt: i.revokedAt ?? at } : i,
      );
    } catch (error) {
      revokeError.value = error;
    } finally {
      const left = new Set(revoking.value);
      left.delete(code);
      revoking.value = left;
    }
  }

  return { invites, state, revoking, revokeError, refresh, add, revoke };
}
export type InviteList = ReturnType<typeof createInviteList>;
