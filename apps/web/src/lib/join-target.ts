import { InviteCode, normalizeRoomCode } from '@parley/protocol';

export type JoinTarget = { kind: 'room'; code: string } | { kind: 'invite'; code: string };

/** An invite code (`xxxxx-xxxxx`, mixed case: taken exactly as written), else null. */
function inviteCode(text: string): string | null {
  return InviteCode.safeParse(text).success ? text : null;
}

function fromPath(pathname: string): JoinTarget | null {
  const invite = /^\/i\/([^/]+)\/?$/.exec(pathname);
  if (invite?.[1]) {
    let code: string | null;
    try {
      code = inviteCode(decodeURIComponent(invite[1]));
    } catch {
      return null;
    }
    return code ? { kind: 'invite', code } : null;
  }
  const room = /^\/r\/([^/]+)(?:\/call)?\/?$/.exec(pathname);
  if (room?.[1]) {
    const code = normalizeRoomCode(room[1]);
    return code ? { kind: 'room', code } : null;
  }
  return null;
}

/**
 * What a person typed into "Join with a code or link": a room code in any case, with or
 * without dashes or spaces (`ABC-DEFG-HJKM`, `abcdefghjkm`), an invite code exactly as written
 * (`Xk4w9-2Pqzt`), a full invite or room link (`https://parley.example/i/<code>`,
 * `…/r/<code>`), or one without its scheme or host.
 * Links from another host are taken by their path: the same server may have several names.
 */
export function parseJoinInput(input: string): JoinTarget | null {
  const text = input.trim();
  if (!text) return null;

  const code = normalizeRoomCode(text);
  if (code) return { kind: 'room', code };
  const invite = inviteCode(text);
  if (invite) return { kind: 'invite', code: invite };

  if (text.startsWith('/')) return fromPath(text.split(/[?#]/)[0] ?? '');

  for (const candidate of [text, `https://${text}`]) {
    let url: URL;
    try {
      url = new URL(candidate);
    } catch {
      continue;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') continue;
    const target = fromPath(url.pathname);
    if (target) return target;
  }
  return null;
}

/** The in-app path a join target leads to. */
export function joinTargetPath(target: JoinTarget): string {
  return target.kind === 'room' ? `/r/${target.code}` : `/i/${encodeURIComponent(target.code)}`;
}
