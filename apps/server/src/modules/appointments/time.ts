/** A time as stored and sent: ISO-8601 UTC. */
export const iso = (ms: number): string => new Date(ms).toISOString();
