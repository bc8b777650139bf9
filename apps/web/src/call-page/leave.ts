import type { ParticipantRole } from '@parley/protocol';
import type { HandoverCandidate, LeaveChoice, RemoteTile } from './types';

const moderates = (role: ParticipantRole) => role === 'host' || role === 'cohost';

/**
 * What pressing Leave does for this person: a participant leaves at once; a host or co-host
 * is asked. The last moderator (no other host or co-host account stays, my own other tabs
 * count as staying) with others present is asked whom to hand over to; the server would
 * otherwise pick the longest-present account, and only a host may promote, so a co-host
 * gets no list.
 */
export function leaveChoice(
  me: { userId: string; role: ParticipantRole },
  remotes: readonly RemoteTile[],
): LeaveChoice | null {
  if (!moderates(me.role)) return null;
  const others = remotes.filter((r) => r.userId !== me.userId);
  const iStay = remotes.some((r) => r.userId === me.userId);
  const anotherModerator = others.some((r) => moderates(r.role));
  if (others.length === 0 || anotherModerator || iStay) return { kind: 'leave-or-end' };
  const candidates = me.role === 'host' ? handoverCandidates(others) : [];
  return { kind: 'handover', candidates, suggested: candidates[0]?.userId ?? null };
}

/**
 * One entry per account, in the order the server would choose: accounts before guests,
 * each longest-present first (by the earliest connection of that person).
 */
export function handoverCandidates(others: readonly RemoteTile[]): HandoverCandidate[] {
  const byUser = new Map<string, RemoteTile>();
  for (const r of others) {
    const seen = byUser.get(r.userId);
    if (!seen || r.joinedAt < seen.joinedAt) byUser.set(r.userId, r);
  }
  return [...byUser.values()]
    .sort((a, b) =>
      a.isGuest !== b.isGuest ? (a.isGuest ? 1 : -1) : a.joinedAt.localeCompare(b.joinedAt),
    )
    .map((r) => ({ userId: r.userId, name: r.name, isGuest: r.isGuest }));
}
