// What the call page puts on its stage and what goes in the strip or the grid. Plain
// TypeScript (no Vue), so the rules below are unit-tested with a fake clock.

/**
 * The layouts a person can choose (remembered per browser):
 * - `auto`: a screen share takes the stage with the cameras in a strip; otherwise everyone
 *   in a grid (Meet's "Auto").
 * - `speaker`: as `auto`, but with nothing shared the active speaker is on the stage.
 * - `grid`: everyone the same size; a screen share is one more tile of the grid.
 * The host's spotlight is chosen for everyone: it takes the stage in every layout, above a
 * screen share (the share stays a tile of the strip). A local pin puts the pinned tile on
 * the stage in every layout, above the spotlight, for this person only.
 */
export const LAYOUT_MODES = ['auto', 'speaker', 'grid'] as const;
export type LayoutMode = (typeof LAYOUT_MODES)[number];

export const LAYOUT_STORAGE_KEY = 'parley.layout';

/** A newly loud person must hold the floor this long before the speaker view switches. */
export const SPEAKER_HOLD_MS = 1_000;

/** The remembered layout, `auto` when none (or storage is unavailable or holds junk). */
export function loadLayoutMode(storage: Pick<Storage, 'getItem'> | undefined): LayoutMode {
  try {
    const saved = storage?.getItem(LAYOUT_STORAGE_KEY);
    return (LAYOUT_MODES as readonly string[]).includes(saved ?? '')
      ? (saved as LayoutMode)
      : 'auto';
  } catch {
    // Storage blocked (a sandboxed frame, strict privacy settings): the default does.
    return 'auto';
  }
}

export function saveLayoutMode(storage: Pick<Storage, 'setItem'> | undefined, mode: LayoutMode) {
  try {
    storage?.setItem(LAYOUT_STORAGE_KEY, mode);
  } catch {
    // Full or blocked storage: the choice lasts for this page only.
  }
}

/**
 * A tile: a person's camera (their video or avatar) or the screen they share. A screen is
 * a tile of its own beside its presenter's camera, so the presenter stays visible.
 */
export type TileKind = 'camera' | 'screen';
export interface TileRef {
  /** Unique per tile: the person's id for the camera, `<id>:screen` for the screen. */
  key: string;
  /** The person's id (a connection id, or the page's id for this person). */
  id: string;
  kind: TileKind;
}

export function tileKey(id: string, kind: TileKind): string {
  return kind === 'camera' ? id : `${id}:screen`;
}

const tile = (id: string, kind: TileKind): TileRef => ({ key: tileKey(id, kind), id, kind });

/** One person as the layout needs them. */
export interface LayoutPerson {
  id: string;
  self: boolean;
  /** Sharing a screen now. */
  sharing: boolean;
}

export interface LayoutInput {
  /** Everyone in the call, this person included, in the order tiles are shown. */
  people: readonly LayoutPerson[];
  mode: LayoutMode;
  /** The person the host put in the spotlight for everyone (an id as in `people`), or null. */
  spotlight: string | null;
  /** Who is speaking now (ids as in `people`). */
  speaking: ReadonlySet<string>;
}

/** Why a tile is on the stage. */
export type StageReason = 'pin' | 'screen' | 'spotlight' | 'speaker';

export type LayoutView =
  | {
      kind: 'grid';
      tiles: TileRef[];
      /** When to compute again although no input changed (a speaker switch coming due). */
      recheckAt: number | null;
    }
  | {
      kind: 'stage';
      stage: TileRef;
      reason: StageReason;
      /** Every other tile, in people order, each screen right after its presenter's camera. */
      strip: TileRef[];
      recheckAt: number | null;
    };

export interface LayoutStateOptions {
  now?: () => number;
  speakerHoldMs?: number;
}

/**
 * The layout's memory between renders: the local pin, when each screen share began (the
 * newest takes the stage) and the active speaker with its hold-off. `compute` is called
 * with the current inputs whenever they change, and again at `recheckAt`.
 */
export class LayoutState {
  private readonly now: () => number;
  private readonly holdMs: number;
  private pinnedKey: string | null = null;
  private pinnedAt = -Infinity;
  private readonly shareSince = new Map<string, number>();
  private shareSeq = 0;
  private readonly shareOrder = new Map<string, number>();
  private speaker: string | null = null;
  private candidate: string | null = null;
  private candidateSince = 0;

  constructor(opts: LayoutStateOptions = {}) {
    this.now = opts.now ?? (() => Date.now());
    this.holdMs = opts.speakerHoldMs ?? SPEAKER_HOLD_MS;
  }

  /** The tile this person pinned (a TileRef key), or null. */
  get pinned(): string | null {
    return this.pinnedKey;
  }

  /** Pins a tile for this person only (null: unpin). */
  pin(key: string | null): void {
    this.pinnedKey = key;
    this.pinnedAt = this.now();
  }

  /** Pins `key`, or unpins it when it is the pinned tile already. */
  togglePin(key: string): void {
    this.pin(this.pinnedKey === key ? null : key);
  }

  compute(input: LayoutInput): LayoutView {
    const now = this.now();
    const byId = new Map(input.people.map((p) => [p.id, p]));
    const tiles = tilesOf(input.people);
    const keys = new Set(tiles.map((t) => t.key));

    // One's own screen is never put large on one's own stage (a mirror of a mirror), so it
    // can be neither pinned nor the newest share here.
    const pin = this.pinnedKey;
    if (pin !== null && (!keys.has(pin) || isOwnScreen(pin, byId))) this.pinnedKey = null;

    const newestShare = this.trackShares(input.people, now);
    const recheck = this.trackSpeaker(input, now);
    const spotlit = input.spotlight !== null && byId.has(input.spotlight) ? input.spotlight : null;

    // The newest of "my pin" and "a share that started" wins: a share beginning after the
    // pin takes the stage (and drops the pin), a pin made during a share beats the share.
    // Not while the spotlight holds the stage: the share would not show, the pin stays.
    if (
      input.mode !== 'grid' &&
      spotlit === null &&
      newestShare &&
      newestShare.since > this.pinnedAt
    ) {
      this.pinnedKey = null;
    }

    const stageAs = (stage: TileRef, reason: StageReason, recheckAt: number | null = null) => ({
      kind: 'stage' as const,
      stage,
      reason,
      strip: tiles.filter((t) => t.key !== stage.key),
      recheckAt,
    });

    if (this.pinnedKey !== null) {
      const pinned = tiles.find((t) => t.key === this.pinnedKey);
      if (pinned) return stageAs(pinned, 'pin');
    }
    // A host chose it for everyone: whatever layout each person picked, above any share.
    if (spotlit !== null) return stageAs(tile(spotlit, 'camera'), 'spotlight');
    if (input.mode === 'grid') return { kind: 'grid', tiles, recheckAt: null };
    if (newestShare) return stageAs(tile(newestShare.id, 'screen'), 'screen');
    if (input.mode === 'speaker' && this.speaker !== null) {
      return stageAs(tile(this.speaker, 'camera'), 'speaker', recheck);
    }
    return { kind: 'grid', tiles, recheckAt: input.mode === 'speaker' ? recheck : null };
  }

  /** Remembers when each other person's share began; the newest one, or null. */
  private trackShares(
    people: readonly LayoutPerson[],
    now: number,
  ): { id: string; since: number } | null {
    const sharing = new Set(people.filter((p) => p.sharing && !p.self).map((p) => p.id));
    for (const id of [...this.shareSince.keys()]) {
      if (!sharing.has(id)) {
        this.shareSince.delete(id);
        this.shareOrder.delete(id);
      }
    }
    let newest: { id: string; since: number; order: number } | null = null;
    for (const id of sharing) {
      if (!this.shareSince.has(id)) {
        this.shareSince.set(id, now);
        this.shareOrder.set(id, ++this.shareSeq);
      }
      const since = this.shareSince.get(id) ?? now;
      const order = this.shareOrder.get(id) ?? 0;
      // Two shares first seen at once (joining a call with both running): the later in
      // the list, as the server reported them.
      if (!newest || since > newest.since || (since === newest.since && order > newest.order)) {
        newest = { id, since, order };
      }
    }
    return newest && { id: newest.id, since: newest.since };
  }

  /**
   * Follows the loudest other person with a hold-off: someone new must be speaking for
   * `holdMs` while the current speaker is quiet before the stage switches, so two people
   * talking over each other do not make it flap. Returns when to look again, or null.
   */
  private trackSpeaker(input: LayoutInput, now: number): number | null {
    const others = input.people.filter((p) => !p.self);
    const eligible = new Set(others.map((p) => p.id));
    if (this.speaker !== null && !eligible.has(this.speaker)) this.speaker = null;
    const loud = others.filter((p) => input.speaking.has(p.id)).map((p) => p.id);

    if (this.speaker === null) {
      // Nobody on the stage yet: whoever speaks, else the first other person, at once.
      this.speaker = loud[0] ?? others[0]?.id ?? null;
      this.candidate = null;
      return null;
    }
    if (loud.includes(this.speaker) || loud.length === 0) {
      this.candidate = null;
      return null;
    }
    const next = loud.includes(this.candidate ?? '') ? (this.candidate as string) : loud[0];
    if (next === undefined) return null;
    if (this.candidate !== next) {
      this.candidate = next;
      this.candidateSince = now;
    }
    if (now - this.candidateSince >= this.holdMs) {
      this.speaker = next;
      this.candidate = null;
      return null;
    }
    return this.candidateSince + this.holdMs;
  }
}

/** Every tile of `people`: each camera, and each screen right after its presenter's camera. */
export function tilesOf(people: readonly LayoutPerson[]): TileRef[] {
  return people.flatMap((p) =>
    p.sharing ? [tile(p.id, 'camera'), tile(p.id, 'screen')] : [tile(p.id, 'camera')],
  );
}

function isOwnScreen(key: string, byId: ReadonlyMap<string, LayoutPerson>): boolean {
  for (const p of byId.values()) if (p.self && key === tileKey(p.id, 'screen')) return true;
  return false;
}

/**
 * The raised-hand queue: ids of the people with a hand up, first raised first. `handRaisedAt`
 * is on the server's clock (ms), so everyone sees the same order; ties keep list order.
 */
export function handQueue(
  people: readonly { id: string; handRaisedAt: number | null }[],
): string[] {
  return people
    .flatMap((p, i) => (p.handRaisedAt === null ? [] : [{ id: p.id, at: p.handRaisedAt, i }]))
    .sort((a, b) => a.at - b.at || a.i - b.i)
    .map((p) => p.id);
}
