import type { ModerationAppliedMessage, Reaction } from '@parley/protocol';
import { IceRefresher, JoinError } from '../calls';
import type { CallEnded, TimerId } from '../calls';
import type { ShortcutAction } from '../components/call/shortcuts';
import { deviceFallbackNotice } from '../media/devices';
import { PageChrome } from './chrome';
import type { CallPageDeps } from './deps';
import { openEngine, readRemotes } from './engine';
import type { Engine } from './engine';
import { fetchIce, resolveTarget } from './entering';
import type { LayoutMode } from './layout-state';
import { leaveChoice } from './leave';
import { Moderation } from './moderation';
import { NoticeQueue } from './notices';
import { endedCode, outcomeOf } from './outcomes';
import { ReactionFeed } from './reaction-feed';
import { CallTicker } from './ticker';
import type {
  CallDialog,
  CallPageState,
  CallPageView,
  CallPanel,
  CallTarget,
  LeaveChoice,
  NoticeMessage,
  RemoteTile,
} from './types';
import { buildView, nextView } from './view';

export type { CallPageApi, CallPageAuth, CallPageDeps, CallPagePrefs } from './deps';

const SLOW_DOWN = 'call.reactions.slowDown';

/**
 * With the pre-join page's devices handed over, the call is first drawn in the call; a join
 * slower than this (the socket still connecting) draws the control bar and own tile first.
 */
export const JOINING_DRAWN_AFTER_MS = 400;
export { MUTED_HINT_MS } from './chrome';
export { TIMER_TICK_MS } from './ticker';

/**
 * The call page as plain TypeScript (DESIGN §7): the state, what the page draws as one
 * snapshot (`view`, re-read after every `subscribe` callback), and the intents the page's
 * buttons call. Owns the engine for its lifetime: start() after mount, dispose() on leave;
 * every timer runs on the injected clock and stops with dispose().
 */
export function createCallPage(deps: CallPageDeps) {
  const { clock, api, auth, prefs, direct } = deps;
  /** The pre-join page's hand-over, read once (the page clears it on leaving). */
  const handed = prefs.joined;

  let state: CallPageState = { kind: 'loading' };
  let target: CallTarget | null = null;
  let engine: Engine | undefined;
  let remotes: RemoteTile[] = [];
  /** Handing over or ending for all: the leave dialog's buttons wait. */
  let leaving = false;
  let retryingMedia = false;
  /** From start() until the devices answer: mic and camera toggles change the choice only. */
  let devicesOpening = false;
  let disposed = false;
  const listeners = new Set<() => void>();
  const offs: (() => void)[] = [];
  let iceRefresher: IceRefresher | undefined;
  let detach: (() => void) | undefined;

  const chrome = new PageChrome({
    clock,
    onChange: changed,
    focus: deps.focus,
    layoutStorage: deps.layoutStorage,
  });
  const ticker = new CallTicker(clock, changed);
  const notices = new NoticeQueue(clock, changed);
  const notify = (message: NoticeMessage, kind?: Parameters<NoticeQueue['push']>[1]) =>
    notices.push(message, kind);
  const moderation = new Moderation(api, () => target?.id, notify, changed);
  const reactions = new ReactionFeed({ onChange: changed, clock });

  let view = build();

  // The other person hung up: this side leaves the room too (their end screen follows).
  if (direct) offs.push(direct.onEndedRemotely(() => (engine ? leaveNow() : finish('ended'))));

  function build(): CallPageView {
    return buildView({
      state,
      target,
      engine,
      remotes,
      handedRole: handed?.role,
      user: auth.user,
      direct,
      appointmentId: deps.appointmentId,
      audioOutputId: prefs.audioOutputId,
      chrome,
      ticker,
      reactions: reactions.list,
      busy: moderation.busy,
      leaving,
      retryingMedia,
      devicesOpening,
      notices: notices.list,
    });
  }

  function changed(): void {
    if (disposed) return;
    if (engine) remotes = readRemotes(engine.call, remotes);
    view = nextView(view, build());
    for (const fn of [...listeners]) fn();
  }

  /** Disposed, or on the way out: what is still in flight must not act any more. */
  function gone(): boolean {
    return disposed || state.kind === 'ended';
  }

  function setState(next: CallPageState): void {
    state = next;
    changed();
  }

  // ---- entering ----

  async function start(): Promise<void> {
    const found = await resolveTarget(deps, handed?.room);
    // A direct call starts with the media it was answered with; one that is over shows its end.
    let media = { micOn: prefs.micOn, cameraOn: prefs.cameraOn };
    if (found && direct) {
      const call = await direct.load();
      const chosen = prefs.directStart;
      prefs.directStart = null;
      if (gone()) return;
      if (!call) return finish('ended');
      media = direct.startMedia(chosen);
    }
    if (gone()) return;
    if (!found) return toPrejoin();
    target = found;

    // A failed fetch still joins: direct connections work on most networks.
    const ice = await fetchIce(deps).catch(() => undefined);
    if (gone()) return;
    const e = openEngine(deps.engine, {
      roomId: found.id,
      displayName: auth.user?.displayName ?? '',
      getToken: () => auth.getToken(),
      // A fresh token before the current one expires, sent over the open socket.
      getFreshToken: (stale) => auth.getFreshToken(stale),
      // An admin changed the account (a role): every tab takes the new view.
      onSessionUpdated: (user) => auth.adoptUser(user),
      ice: ice && { iceServers: ice.iceServers, iceTransportPolicy: ice.iceTransportPolicy },
      clock,
    });
    engine = e;
    listen(e);
    // Chat and the shared player hear room.joined's chat tail and playback state.
    detach = deps.attach?.(e.signaling, found.id);
    if (ice) {
      iceRefresher = new IceRefresher(
        () => fetchIce(deps),
        (c) => e.call.setIceServers(c.iceServers),
        {
          setTimeout: (fn, ms) => clock.setTimeout(fn, ms),
          clearTimeout: (h) => clock.clearTimeout(h as TimerId),
        },
      );
      iceRefresher.start(ice.ttlSeconds);
    }
    e.media.setMicEnabled(media.micOn);
    devicesOpening = true;
    // The socket connects while the devices open (the pre-join page's may be open already).
    e.signaling.connect().catch(() => undefined);
    // The control bar is drawn from here on: what is pressed while the devices open (the
    // permission prompt, a slow camera) changes the choice, and the join sends that choice.
    // Devices the pre-join page handed over answer at once: the call is first drawn in the
    // call (see join), or after JOINING_DRAWN_AFTER_MS if the join is slow.
    const handedDevices = deps.devicesHanded?.() ?? false;
    if (!handedDevices) setState({ kind: 'joining' });
    try {
      await e.media.acquire({
        audio: true,
        video: media.cameraOn,
        audioDeviceId: prefs.audioInputId || undefined,
        videoDeviceId: prefs.videoInputId || undefined,
        // The device menu's list follows (its own event): the join does not wait for it.
        listDevicesLater: true,
      });
    } finally {
      devicesOpening = false;
    }
    if (gone()) return;
    const joined = join({ audio: e.media.micEnabled, video: e.media.cameraEnabled });
    if (!handedDevices) {
      changed();
      return joined;
    }
    const slow = clock.setTimeout(() => {
      if (state.kind === 'loading') setState({ kind: 'joining' });
    }, JOINING_DRAWN_AFTER_MS);
    await joined;
    clock.clearTimeout(slow);
  }

  async function join(initial: { audio: boolean; video: boolean }): Promise<void> {
    const e = engine;
    if (!e) return;
    try {
      await e.call.join(initial);
    } catch (err) {
      return refused(err instanceof JoinError ? err.code : 'INTERNAL');
    }
    if (gone()) return;
    // The call's first full draw is the page's heaviest work (~100-200 ms of main thread):
    // after the offers, so their setLocalDescription does not finish behind it, and the
    // draw runs while the others answer.
    await e.call.offersSent();
    if (gone()) return;
    ticker.start(e.call, e.media, () => remotes.filter((r) => r.audio).map((r) => r.connectionId));
    setState({ kind: 'in-call' });
  }

  /** Tries the join again after a refusal that may pass (ROOM_FULL, a network failure). */
  async function retryJoin(): Promise<void> {
    if (state.kind !== 'join-failed' || state.retrying || !engine) return;
    setState({ ...state, retrying: true });
    await join({ audio: engine.media.micEnabled, video: engine.media.cameraEnabled });
  }

  /** A refused join or an ended call, by the one table of outcomes. */
  function refused(code: string): void {
    if (gone()) return;
    const outcome = outcomeOf(code);
    switch (outcome.kind) {
      case 'end':
        return finish(outcome.reason);
      case 'prejoin':
        return toPrejoin();
      case 'account-disabled':
        setState({ kind: 'ended', reason: 'elsewhere' });
        release();
        return deps.onAccountDisabled();
      case 'signed-out':
        // Signed out elsewhere: this tab's session is over too; the overlay says why.
        void auth.logout();
        return setState({ kind: 'join-failed', code, retrying: false });
      case 'retry':
        return setState({ kind: 'join-failed', code, retrying: false });
    }
  }

  // ---- what the call says ----

  function listen(e: Engine): void {
    const { call, media } = e;
    offs.push(
      call.on('change', changed),
      call.on('ended', (why: CallEnded) => {
        changed();
        refused(endedCode(why));
      }),
      call.on('lobby-request', (entry) => {
        deps.knock?.();
        chrome.knocked(entry.user.id);
      }),
      call.on('moderation', (msg) => notify(moderatedMessage(msg), 'moderation')),
      call.on('moderation-granted', (msg) => {
        const key = msg.reason === 'handover' ? 'call.notices.handover' : 'call.notices.granted';
        notify({ key, params: { role: msg.role } }, 'moderation');
      }),
      call.on('reaction', (r) => reactions.push(r.connectionId, r.emoji)),
      media.on('device-fallback', (fallback) => notify(deviceFallbackNotice(fallback), 'device')),
      media.on('muted-speech', () => chrome.showMutedHint()),
      media.on('devices', changed),
    );
  }

  // ---- leaving ----

  function finish(reason: 'left' | 'kicked' | 'ended'): void {
    if (state.kind === 'ended') return;
    setState({ kind: 'ended', reason });
    release();
    deps.navigate(
      direct
        ? { name: 'call-ended', callId: direct.callId }
        : { name: 'ended', reason, code: deps.code },
    );
  }

  function toPrejoin(): void {
    if (direct) return finish('ended');
    if (state.kind === 'ended') return;
    setState({ kind: 'ended', reason: 'elsewhere' });
    release();
    deps.navigate({ name: 'prejoin', code: deps.code });
  }

  /**
   * The Leave button. A direct call ends for both (the server ends it, then this side
   * leaves the room). In a meeting a participant leaves at once; a host or co-host is asked
   * (leave or end for all, and whom to hand over to when they are the last moderator).
   */
  function leaveButton(): void {
    if (direct && direct.state.kind !== 'ended') {
      void direct.hangUp().finally(leaveNow);
      return;
    }
    // The dialog reads the choice from the call as it is while open (view.leave).
    if (currentLeaveChoice()) chrome.setDialog('leave', true);
    else leaveNow();
  }

  function currentLeaveChoice(): LeaveChoice | null {
    const me = engine?.call.self;
    return me && state.kind === 'in-call' ? leaveChoice(me, remotes) : null;
  }

  /** room.leave over the socket gives the seat up; no REST call on top (that would be twice). */
  function leaveNow(): void {
    if (engine && !engine.call.ended) engine.call.leave();
    else finish('left');
  }

  /**
   * Promotes the chosen person (a user id), then leaves; 'auto' leaves and the server picks.
   * Checked against the call as it is now: a chosen person who left meanwhile gives way to
   * the one suggested now, and with another moderator present there is nobody to hand to.
   */
  async function handOverAndLeave(userId: string): Promise<void> {
    if (leaving) return;
    const now = currentLeaveChoice();
    const chosen =
      now?.kind !== 'handover' || userId === 'auto'
        ? null
        : now.candidates.some((c) => c.userId === userId)
          ? userId
          : now.suggested;
    if (chosen === null) return leaveNow();
    leaving = true;
    changed();
    const ok = await moderation.promote(chosen, nameOf(chosen), true);
    leaving = false;
    if (ok) leaveNow();
    else changed();
  }

  async function endForAll(): Promise<void> {
    const room = target;
    if (!room || leaving) return;
    leaving = true;
    changed();
    try {
      await api.end(room.id);
      // room.closed normally arrives first; if the socket is down, go anyway.
      finish('ended');
    } catch (error) {
      notify({ error });
    } finally {
      leaving = false;
      changed();
    }
  }

  // ---- media ----

  async function toggleMic(): Promise<void> {
    const e = engine;
    if (!e) return;
    if (devicesOpening) return e.call.setMic(!e.media.micEnabled);
    if (!e.media.hasMic) {
      // Nothing to unmute: ask for the mic again (the person may have allowed it since).
      e.media.setMicEnabled(true);
      await e.media.retryPermissions();
      return changed();
    }
    e.call.setMic(!e.media.micEnabled);
  }

  async function toggleCamera(): Promise<void> {
    const e = engine;
    if (!e) return;
    // While the devices open, no camera yet is not "off": the choice flips.
    const on = devicesOpening ? e.media.cameraEnabled : e.media.cameraEnabled && e.media.hasCamera;
    await e.call.setCamera(!on);
    changed();
  }

  async function toggleScreen(): Promise<void> {
    const e = engine;
    if (!e) return;
    if (e.media.sharingScreen) return e.call.stopScreenShare();
    try {
      await e.call.startScreenShare();
    } catch {
      notify({ key: 'call.notices.shareFailed' });
    }
  }

  async function retryMedia(): Promise<void> {
    const e = engine;
    if (!e) return;
    retryingMedia = true;
    chrome.dismissProblem(undefined);
    try {
      await e.media.retryPermissions();
    } finally {
      retryingMedia = false;
      changed();
    }
  }

  /** A device from the menu; the choice is remembered for the next call too. */
  async function switchDevice(kind: MediaDeviceKind, deviceId: string): Promise<void> {
    if (kind === 'audiooutput') {
      prefs.audioOutputId = deviceId;
      return changed();
    }
    const e = engine;
    if (!e) return;
    if (kind === 'audioinput') prefs.audioInputId = deviceId;
    else prefs.videoInputId = deviceId;
    try {
      await e.media.switchDevice(kind, deviceId);
    } catch {
      notify({ key: 'call.notices.deviceFailed' });
    }
    changed();
  }

  function setHandRaised(on: boolean): void {
    engine?.call.setHandRaised(on);
    changed();
  }

  /**
   * Past the local rate limit a reaction is dropped, as the server would drop it; the person
   * is told once (not again while that notice still shows), so the click is not just lost.
   */
  function react(emoji: Reaction): void {
    if (engine?.call.sendReaction(emoji) !== 'limited') return;
    const shown = notices.list.some((n) => 'key' in n.message && n.message.key === SLOW_DOWN);
    if (!shown) notify({ key: SLOW_DOWN });
  }

  // ---- shortcuts ----

  const SHORTCUTS: Record<ShortcutAction, () => void> = {
    mic: () => void toggleMic(),
    camera: () => void toggleCamera(),
    screen: () => {
      if (deps.canShare) void toggleScreen();
    },
    chat: () => chrome.togglePanel('chat'),
    participants: () => chrome.togglePanel('participants'),
    hand: () => {
      if (!direct) setHandRaised(!(engine?.call.handRaised ?? false));
    },
    help: () => chrome.setDialog('shortcuts', true),
  };

  /** A single-key shortcut; false when it does not apply now (a dialog is open, no call). */
  function shortcut(action: ShortcutAction): boolean {
    if (!engine || chrome.dialog !== null || state.kind === 'ended' || state.kind === 'loading') {
      return false;
    }
    SHORTCUTS[action]();
    return true;
  }

  // ---- the lifetime ----

  /** The engine and what runs for it: the camera light goes off as soon as the page leaves. */
  function release(): void {
    ticker.stop();
    iceRefresher?.stop();
    // Leaves (room.leave while the socket is open; the seat is given up), stops the devices.
    engine?.dispose();
  }

  function dispose(): void {
    if (disposed) return;
    disposed = true;
    for (const off of offs.splice(0)) off();
    chrome.dispose();
    notices.dispose();
    reactions.dispose();
    detach?.();
    release();
    listeners.clear();
  }

  const nameOf = (userId: string) => remotes.find((r) => r.userId === userId)?.name ?? '';

  return {
    get view(): CallPageView {
      return view;
    },
    subscribe(fn: () => void): () => void {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    /** Server minus device clock, as the call measured it (the appointment slot's countdown). */
    serverOffset: (): number => engine?.call.serverOffset ?? 0,

    start,
    retryJoin,
    retryConnection: () => engine?.call.retry(),
    toggleMic,
    toggleCamera,
    toggleScreen,
    setHandRaised,
    react,
    leave: leaveButton,
    leaveNow,
    endForAll,
    handOverAndLeave,

    admit: (userId: string) => moderation.admit(userId),
    deny: (userId: string) => moderation.deny(userId),
    admitAll: async (): Promise<void> => {
      await Promise.all(view.lobby.map((e) => moderation.admit(e.user.id)));
    },
    kick: (userId: string) => moderation.kick(userId, nameOf(userId)),
    promote: (userId: string) => moderation.promote(userId, nameOf(userId)),
    mute: (userId: string) => moderation.mute(userId, nameOf(userId)),
    muteAll: () => moderation.muteAll(),
    lowerHand: (userId: string) => moderation.lowerHand(userId),
    spotlight: (connectionId: string | null) => moderation.spotlight(connectionId),

    retryMedia,
    switchDevice,
    dismissMediaProblem: () => chrome.dismissProblem(view.local?.problem),
    dismissNotice: (id: number) => notices.dismiss(id),
    dismissMutedHint: () => chrome.dismissMutedHint(),
    dismissLobbyToast: () => chrome.dismissToast(view.lobby.map((e) => e.user.id)),
    dismissAlone: () => chrome.dismissAlone(),
    audioWasBlocked: () => chrome.audioWasBlocked(),
    enableAudio: () => chrome.enableAudio(),

    setLayout: (mode: LayoutMode) => chrome.setLayout(mode),
    togglePanel: (which: CallPanel) => chrome.togglePanel(which),
    openPanel: (which: CallPanel) => chrome.openPanel(which),
    closePanel: () => chrome.closePanel(),
    setDialog: (which: CallDialog, open: boolean) => chrome.setDialog(which, open),
    shortcut,
    dispose,
  };
}

export type CallPage = ReturnType<typeof createCallPage>;

/** A host acted on me; the engine already applied it (mic off, hand down): say who. */
function moderatedMessage(msg: ModerationAppliedMessage): NoticeMessage {
  const key = msg.action === 'lower-hand' ? 'call.notices.handLowered' : 'call.notices.mutedBy';
  return { key, params: { name: msg.by.displayName } };
}
