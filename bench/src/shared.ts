import { readFileSync, readlinkSync } from 'node:fs';

/** Messages between the bench (main thread) and a server worker. */
export type ServerReady = {
  type: 'ready';
  port: number;
  /** Linux thread id of the server's event-loop thread, for its CPU time; else undefined. */
  tid: number | undefined;
  /** Parley only: one access token per bench user, index = client index. */
  tokens: string[];
  /** Parley only: the room id for each room size N (JSON keys are strings). */
  rooms: Record<string, string>;
};
export type ServerClosed = { type: 'closed' };
export type WorkerToMain = ServerReady | ServerClosed;
export type MainToWorker = { type: 'close' };

export type ServerWorkerData = {
  entry: string;
  /** Room sizes to prepare (Parley creates one room per size). */
  sizes: number[];
};

/** Client → server: the media state toggles so every message is a real change. */
export const MEDIA_UPDATES = [
  JSON.stringify({ type: 'media.update', audio: true, video: true, screen: false }),
  JSON.stringify({ type: 'media.update', audio: false, video: true, screen: false }),
] as const;

/** This thread's Linux thread id (from /proc/thread-self), or undefined elsewhere. */
export function ownThreadId(): number | undefined {
  try {
    return Number(readlinkSync('/proc/thread-self').split('/').pop());
  } catch {
    return undefined;
  }
}

/**
 * CPU time (user + system) a thread has used, in ms, from the scheduler's nanosecond
 * counter (/proc/.../schedstat). Unlike event-loop utilisation it does not count time
 * the thread was runnable but preempted, which on a busy shared machine is most of the
 * noise. Undefined where /proc is not available.
 */
export function threadCpuMs(tid: number | undefined): number | undefined {
  if (tid === undefined) return undefined;
  try {
    const ns = Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    return Number.isFinite(ns) ? ns / 1e6 : undefined;
  } catch {
    return undefined;
  }
}
