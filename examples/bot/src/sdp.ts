// The little SDP handling the engine rules need (RFC 4566 `o=` line, RFC 3264 §8).

/** The `o=` session id: the same for the life of a peer connection, new for a new one. */
export function sessionIdOf(sdp: string): string | undefined {
  const line = sdp.split(/\r?\n/).find((l) => l.startsWith('o='));
  return line?.split(' ')[1];
}

/**
 * The description with our own `o=` session id and version. werift 0.24 draws a new random
 * session id for every offer and answer it creates; a Parley peer would read a re-offer with a
 * new id as a new peer connection (engine rule 5), so the id is pinned per connection and the
 * version counts up (RFC 3264 §8: same id, version + 1 for each new description).
 */
export function withOrigin(sdp: string, sessionId: string, version: number): string {
  return sdp.replace(/^o=(\S+) \S+ \S+ /m, (_all, user: string) => {
    return `o=${user} ${sessionId} ${version} `;
  });
}

/** A random session id: digits, at most 63 bits as RFC 3264 asks. */
export function newSessionId(): string {
  return String(Math.floor(Math.random() * 2 ** 52) + 1);
}

/** The `a=candidate:` lines already in a description (they need no trickling). */
export function candidatesIn(sdp: string): Set<string> {
  const found = new Set<string>();
  for (const line of sdp.split(/\r?\n/)) {
    if (line.startsWith('a=candidate:')) found.add(line.slice(2).trim());
  }
  return found;
}
