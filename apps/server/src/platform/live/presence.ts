/**
 * Presence rides on the roster: every authenticated socket has an entry under this
 * reserved key (never a room id, which is a UUID), owned by its process like any other,
 * so a dead process's sockets leave presence within the same expiry. A user is online
 * while they have at least one entry.
 */
export const PRESENCE_KEY = '@presence';

/**
 * The live-state lock (`locks.run`) under which one user's presence changes and the
 * notices about it are made, by the socket layer (online, offline) and by the contacts
 * module (do not disturb, blocks), so those notices go out in the order they were decided.
 * Not reentrant: code holding it must not ask for it again.
 */
export const presenceLock = (userId: string): string => `${PRESENCE_KEY}/${userId}`;
