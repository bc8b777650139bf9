import { describe, expect, it } from 'vitest';
import {
  handQueue,
  LAYOUT_STORAGE_KEY,
  LayoutState,
  loadLayoutMode,
  saveLayoutMode,
  tilesOf,
} from './layout-state';
import type { LayoutInput, LayoutMode, LayoutPerson, LayoutView } from './layout-state';

const ME = 'self';

function person(id: string, sharing = false): LayoutPerson {
  return { id, self: id === ME, sharing };
}

/** A layout with a clock the test moves by hand. */
function setup(mode: LayoutMode = 'auto') {
  let now = 1_000;
  const state = new LayoutState({ now: () => now, speakerHoldMs: 1_000 });
  const input: LayoutInput = {
    people: [person('ann'), person('bob'), person(ME)],
    mode,
    spotlight: null,
    speaking: new Set(),
  };
  return {
    state,
    input,
    advance: (ms: number) => {
      now += ms;
    },
    run: (patch: Partial<LayoutInput> = {}) => {
      Object.assign(input, patch);
      return state.compute(input);
    },
  };
}

const stageOf = (view: LayoutView) =>
  view.kind === 'stage' ? { key: view.stage.key, reason: view.reason } : null;
const keysOf = (view: LayoutView) =>
  view.kind === 'stage' ? view.strip.map((t) => t.key) : view.tiles.map((t) => t.key);

describe('the remembered layout', () => {
  it('is auto until a valid choice is saved, and survives a blocked storage', () => {
    const store = new Map<string, string>();
    const storage = {
      getItem: (k: string) => store.get(k) ?? null,
      setItem: (k: string, v: string) => void store.set(k, v),
    };
    expect(loadLayoutMode(storage)).toBe('auto');
    saveLayoutMode(storage, 'grid');
    expect(store.get(LAYOUT_STORAGE_KEY)).toBe('grid');
    expect(loadLayoutMode(storage)).toBe('grid');
    store.set(LAYOUT_STORAGE_KEY, 'tiles');
    expect(loadLayoutMode(storage)).toBe('auto');

    const blocked = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
    };
    expect(loadLayoutMode(blocked)).toBe('auto');
    expect(() => saveLayoutMode(blocked, 'speaker')).not.toThrow();
    expect(loadLayoutMode(undefined)).toBe('auto');
  });
});

describe('tiles', () => {
  it('put a screen share beside its presenter, whose camera stays', () => {
    expect(tilesOf([person('ann'), person('bob', true), person(ME)]).map((t) => t.key)).toEqual([
      'ann',
      'bob',
      'bob:screen',
      ME,
    ]);
  });
});

describe('auto layout', () => {
  it('is a grid of everyone when nothing is shared, spotlit or pinned', () => {
    const { run } = setup();
    const view = run();
    expect(view.kind).toBe('grid');
    expect(keysOf(view)).toEqual(['ann', 'bob', ME]);
  });

  it('puts a screen share on the stage with every camera, the presenter too, in the strip', () => {
    const { run } = setup();
    const view = run({ people: [person('ann'), person('bob', true), person(ME)] });
    expect(stageOf(view)).toEqual({ key: 'bob:screen', reason: 'screen' });
    expect(keysOf(view)).toEqual(['ann', 'bob', ME]);
  });

  it('gives the stage to the newest share', () => {
    const { run, advance } = setup();
    run({ people: [person('ann'), person('bob', true), person(ME)] });
    advance(5_000);
    const view = run({ people: [person('ann', true), person('bob', true), person(ME)] });
    expect(stageOf(view)).toEqual({ key: 'ann:screen', reason: 'screen' });
    // Ann stops: Bob's share, still running, comes back.
    advance(5_000);
    expect(stageOf(run({ people: [person('ann'), person('bob', true), person(ME)] }))).toEqual({
      key: 'bob:screen',
      reason: 'screen',
    });
  });

  it('never puts my own share on my stage: it stays a small tile', () => {
    const { run, state } = setup();
    const view = run({ people: [person('ann'), person('bob'), person(ME, true)] });
    expect(view.kind).toBe('grid');
    expect(keysOf(view)).toContain(`${ME}:screen`);
    state.pin(`${ME}:screen`);
    expect(run().kind).toBe('grid');
    expect(state.pinned).toBeNull();
  });

  it('puts the spotlit person on the stage, above a screen share (the host chose it for all)', () => {
    const { run } = setup();
    expect(stageOf(run({ spotlight: 'ann' }))).toEqual({ key: 'ann', reason: 'spotlight' });
    const view = run({
      people: [person('ann'), person('bob', true), person(ME)],
      spotlight: 'ann',
    });
    expect(stageOf(view)).toEqual({ key: 'ann', reason: 'spotlight' });
    // The share stays in the strip, and takes the stage when the spotlight ends.
    expect(keysOf(view)).toEqual(['bob', 'bob:screen', ME]);
    expect(stageOf(run({ spotlight: null }))).toEqual({ key: 'bob:screen', reason: 'screen' });
  });

  it('keeps my pin when a share starts under the spotlight (the share would not show)', () => {
    const { run, state, advance } = setup();
    state.pin('bob');
    advance(100);
    const view = run({
      people: [person('ann'), person('bob'), person('cleo', true), person(ME)],
      spotlight: 'ann',
    });
    expect(stageOf(view)).toEqual({ key: 'bob', reason: 'pin' });
    expect(state.pinned).toBe('bob');
  });

  it('ignores a spotlight on someone who is not (or no longer) in the call', () => {
    const { run } = setup();
    expect(run({ spotlight: 'gone' }).kind).toBe('grid');
  });

  it('lets my pin override the spotlight, for me', () => {
    const { run, state } = setup();
    state.pin('bob');
    expect(stageOf(run({ spotlight: 'ann' }))).toEqual({ key: 'bob', reason: 'pin' });
    state.togglePin('bob');
    expect(state.pinned).toBeNull();
    expect(stageOf(run())).toEqual({ key: 'ann', reason: 'spotlight' });
  });

  it('lets a pin made during a share beat the share, and a share begun after the pin beat it', () => {
    const { run, state, advance } = setup();
    run({ people: [person('ann'), person('bob', true), person(ME)] });
    advance(100);
    state.pin('ann');
    expect(stageOf(run())).toEqual({ key: 'ann', reason: 'pin' });
    advance(100);
    const view = run({ people: [person('ann'), person('bob', true), person('cleo', true)] });
    expect(stageOf(view)).toEqual({ key: 'cleo:screen', reason: 'screen' });
    expect(state.pinned).toBeNull();
  });

  it('drops the pin of someone who left', () => {
    const { run, state } = setup();
    state.pin('bob');
    expect(stageOf(run())).toEqual({ key: 'bob', reason: 'pin' });
    expect(run({ people: [person('ann'), person(ME)] }).kind).toBe('grid');
    expect(state.pinned).toBeNull();
  });

  it('may pin a screen tile, or my own camera', () => {
    const { run, state } = setup();
    state.pin(ME);
    expect(stageOf(run())).toEqual({ key: ME, reason: 'pin' });
    state.pin('bob:screen');
    expect(stageOf(run({ people: [person('ann'), person('bob', true), person(ME)] }))).toEqual({
      key: 'bob:screen',
      reason: 'pin',
    });
  });
});

describe('grid layout', () => {
  it('shows everyone the same, a screen share as one more tile', () => {
    const { run } = setup('grid');
    const view = run({ people: [person('ann'), person('bob', true), person(ME)] });
    expect(view.kind).toBe('grid');
    expect(keysOf(view)).toEqual(['ann', 'bob', 'bob:screen', ME]);
  });

  it('still gives the stage to the host’s spotlight, chosen for everyone', () => {
    const { run } = setup('grid');
    const view = run({
      people: [person('ann'), person('bob', true), person(ME)],
      spotlight: 'ann',
    });
    expect(stageOf(view)).toEqual({ key: 'ann', reason: 'spotlight' });
    expect(keysOf(view)).toEqual(['bob', 'bob:screen', ME]);
    expect(run({ spotlight: null }).kind).toBe('grid');
  });

  it('still honours a pin, above the spotlight', () => {
    const { run, state } = setup('grid');
    state.pin('bob');
    expect(stageOf(run({ spotlight: 'ann' }))).toEqual({ key: 'bob', reason: 'pin' });
  });
});

describe('speaker layout', () => {
  it('starts with the first other person on the stage, never myself', () => {
    const { run } = setup('speaker');
    expect(stageOf(run({ speaking: new Set([ME]) }))).toEqual({ key: 'ann', reason: 'speaker' });
  });

  it('is just me when I am alone', () => {
    const { run } = setup('speaker');
    expect(run({ people: [person(ME)] }).kind).toBe('grid');
  });

  it('switches to a new speaker only after they held the floor for the hold time', () => {
    const { run, advance } = setup('speaker');
    run({ speaking: new Set(['ann']) });
    advance(500);
    let view = run({ speaking: new Set(['bob']) });
    expect(stageOf(view)?.key).toBe('ann');
    // The page is told when to look again, though nothing else changes.
    expect(view.recheckAt).toBe(2_500);
    advance(999);
    view = run();
    expect(stageOf(view)?.key).toBe('ann');
    advance(1);
    view = run();
    expect(stageOf(view)).toEqual({ key: 'bob', reason: 'speaker' });
    expect(view.recheckAt).toBeNull();
  });

  it('does not flap when two people talk over each other', () => {
    const { run, advance } = setup('speaker');
    run({ speaking: new Set(['ann']) });
    // Bob chimes in every 600 ms, but Ann keeps talking: the stage stays with her.
    for (let i = 0; i < 10; i++) {
      advance(300);
      expect(stageOf(run({ speaking: new Set(['ann', 'bob']) }))?.key).toBe('ann');
      advance(300);
      expect(stageOf(run({ speaking: new Set(['ann']) }))?.key).toBe('ann');
    }
  });

  it('restarts the hold when the newcomer pauses, and keeps the speaker through silence', () => {
    const { run, advance } = setup('speaker');
    run({ speaking: new Set(['ann']) });
    advance(100);
    run({ speaking: new Set(['bob']) });
    advance(800);
    run({ speaking: new Set() });
    advance(100);
    run({ speaking: new Set(['bob']) });
    advance(800);
    expect(stageOf(run())?.key).toBe('ann');
    advance(200);
    expect(stageOf(run())?.key).toBe('bob');
    advance(10_000);
    expect(stageOf(run({ speaking: new Set() }))?.key).toBe('bob');
  });

  it('moves on at once when the speaker leaves', () => {
    const { run } = setup('speaker');
    run({ speaking: new Set(['ann']) });
    expect(stageOf(run({ people: [person('bob'), person(ME)], speaking: new Set() }))?.key).toBe(
      'bob',
    );
  });

  it('still lets the spotlight (above a share), a screen share and a pin take the stage', () => {
    const { run, state } = setup('speaker');
    run({ speaking: new Set(['ann']) });
    expect(stageOf(run({ spotlight: 'bob' }))).toEqual({ key: 'bob', reason: 'spotlight' });
    const sharing = [person('ann'), person('bob', true), person(ME)];
    expect(stageOf(run({ people: sharing }))).toEqual({ key: 'bob', reason: 'spotlight' });
    expect(stageOf(run({ spotlight: null }))).toEqual({ key: 'bob:screen', reason: 'screen' });
    state.pin('ann');
    expect(stageOf(run({ spotlight: 'bob' }))?.reason).toBe('pin');
  });
});

describe('the raised-hand queue', () => {
  it('orders raised hands by when they went up (server time), ignoring lowered ones', () => {
    expect(
      handQueue([
        { id: 'ann', handRaisedAt: 5_000 },
        { id: 'bob', handRaisedAt: null },
        { id: 'cleo', handRaisedAt: 1_000 },
        { id: 'dan', handRaisedAt: 5_000 },
      ]),
    ).toEqual(['cleo', 'ann', 'dan']);
  });
});
