import type { ParticipantRole } from '@parley/protocol';
import type { DirectCall } from '../phone/direct-call';
import type { PageChrome } from './chrome';
import { aloneHint, lobbyToast, peopleOf, same } from './derive';
import { readLocal } from './engine';
import { leaveChoice } from './leave';
import type { Engine } from './engine';
import type { FloatingReaction } from './reaction-feed';
import type { CallTicker } from './ticker';
import type { CallPageState, CallPageView, CallTarget, Notice, RemoteTile } from './types';

/** Everything the snapshot is read from. */
export interface ViewSources {
  state: CallPageState;
  target: CallTarget | null;
  engine: Engine | undefined;
  remotes: RemoteTile[];
  /** My role before the call says (the pre-join page's word). */
  handedRole: ParticipantRole | undefined;
  user: { id: string; displayName: string; isGuest: boolean } | null;
  direct: DirectCall | null | undefined;
  appointmentId: string | null | undefined;
  audioOutputId: string;
  chrome: PageChrome;
  ticker: CallTicker;
  reactions: readonly FloatingReaction[];
  busy: ReadonlySet<string>;
  leaving: boolean;
  retryingMedia: boolean;
  /** The devices are still opening (before the join): the buttons show the choice. */
  devicesOpening: boolean;
  notices: Notice[];
}

/** What the page draws, as one snapshot. */
export function buildView(s: ViewSources): CallPageView {
  const { engine, remotes, chrome, direct, target } = s;
  const call = engine?.call;
  // Nothing of the call is drawn while loading (model.start draws it once in the call).
  const local =
    engine && s.state.kind !== 'loading' ? readLocal(engine, s.devicesOpening) : undefined;
  const role = call?.self?.role ?? s.handedRole ?? 'participant';
  const canModerate = role === 'host' || role === 'cohost';
  const room = call?.roomSummary;
  const appointmentRoom = !!s.appointmentId || (room?.kind ?? target?.kind) === 'appointment';
  const lobby = canModerate && call ? call.lobby : [];
  const selfConnectionId = call?.self?.connectionId;
  const connection = call?.connection ?? 'connecting';
  const anyVideo =
    !!local?.cameraOn || !!local?.sharing || remotes.some((r) => r.video || r.screen);
  return {
    state: s.state,
    target,
    connection,
    // A direct call is named after the other person, not its room.
    roomName: direct ? direct.otherName : (room?.name ?? target?.name ?? ''),
    room,
    selfConnectionId,
    role,
    isHost: role === 'host',
    canModerate,
    direct: direct ? { otherName: direct.otherName } : null,
    audioLayout: !!direct && !!local && direct.audioLayout(anyVideo),
    appointmentRoom,
    local,
    remotes,
    people: peopleOf(
      remotes,
      {
        connectionId: selfConnectionId,
        userId: s.user?.id ?? '',
        name: s.user?.displayName ?? '',
        isGuest: s.user?.isGuest ?? false,
        role,
        handRaisedAt: call?.selfEntry?.handRaisedAt,
      },
      local,
    ),
    speaking: s.ticker.speaking,
    spotlight: call?.spotlight ?? null,
    layoutMode: chrome.layoutMode,
    reactions: s.reactions,
    timer: s.ticker.timer,
    lobby,
    lobbyToast: lobbyToast(lobby, chrome.toastDismissed, canModerate, chrome.panel),
    busy: new Set(s.busy),
    panel: chrome.panel,
    dialog: chrome.dialog,
    // Read from the call as it is now while the dialog is open: someone who left is no
    // longer offered, a co-host who arrived turns the hand-over into a plain leave.
    leave:
      chrome.dialog === 'leave' && call?.self && s.state.kind === 'in-call'
        ? leaveChoice(call.self, remotes)
        : null,
    leaving: s.leaving,
    notices: s.notices,
    mediaProblem:
      local?.problem && local.problem !== chrome.dismissedProblem ? local.problem : undefined,
    retryingMedia: s.retryingMedia,
    mutedSpeech: chrome.mutedSpeech,
    devices: engine?.media.devices ?? { audioinput: [], videoinput: [], audiooutput: [] },
    currentDevices: {
      audioinput: engine?.media.deviceId('audioinput'),
      videoinput: engine?.media.deviceId('videoinput'),
      audiooutput: s.audioOutputId || undefined,
    },
    audioBlocked: chrome.audioBlocked,
    audioUnlock: chrome.audioUnlock,
    alone: aloneHint({
      state: s.state,
      connection,
      others: remotes.length,
      dismissed: chrome.aloneDismissed,
      direct: !!direct,
      appointmentRoom,
    }),
  };
}

/** The next snapshot, keeping the lists that did not change (so nothing redraws for them). */
export function nextView(prev: CallPageView, next: CallPageView): CallPageView {
  return {
    ...next,
    local: same(prev.local, next.local),
    remotes: same(prev.remotes, next.remotes),
    people: same(prev.people, next.people),
    lobby: same(prev.lobby, next.lobby),
    lobbyToast: same(prev.lobbyToast, next.lobbyToast),
    // Rebuilt on every tick: the dialog keeps the person's pick while nothing changed.
    leave: JSON.stringify(prev.leave) === JSON.stringify(next.leave) ? prev.leave : next.leave,
    currentDevices: same(prev.currentDevices, next.currentDevices),
    busy: same(prev.busy, next.busy),
    direct: same(prev.direct, next.direct),
  };
}
