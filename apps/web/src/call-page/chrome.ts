import type { Clock, MediaProblemSummary, TimerId } from '../calls';
import { loadLayoutMode, saveLayoutMode } from './layout-state';
import type { LayoutMode } from './layout-state';
import type { CallDialog, CallPanel } from './types';

/** How long "you are muted" stays after speaking into a muted microphone. */
export const MUTED_HINT_MS = 5_000;

/**
 * The page's own state around the call: which panel and dialog are open, what the person
 * dismissed, the sound the browser paused, the "you are muted" hint, the layout choice.
 * Nothing here talks to the server; the model reads it into the snapshot.
 */
export class PageChrome {
  panel: CallPanel | null = null;
  dialog: CallDialog | null = null;
  layoutMode: LayoutMode;
  aloneDismissed = false;
  audioBlocked = false;
  /** Bumped by a click that may unlock the sound: each remote audio tries to play again. */
  audioUnlock = 0;
  mutedSpeech = false;
  dismissedProblem: MediaProblemSummary | undefined;
  /** Knockers whose toast was dismissed (a new knock shows it again). */
  readonly toastDismissed = new Set<string>();
  private hintTimer: TimerId | undefined;

  constructor(
    private readonly o: {
      clock: Clock;
      onChange: () => void;
      focus?: ((testid: string) => void) | undefined;
      layoutStorage?: Pick<Storage, 'getItem' | 'setItem'> | undefined;
    },
  ) {
    this.layoutMode = loadLayoutMode(o.layoutStorage);
  }

  /** Opens or closes a side panel; closing gives focus back to its button. */
  togglePanel(which: CallPanel): void {
    this.panel = this.panel === which ? null : which;
    this.o.onChange();
    if (this.panel === null) this.o.focus?.(`toggle-${which}`);
  }

  openPanel(which: CallPanel): void {
    this.panel = which;
    this.o.onChange();
  }

  closePanel(): void {
    const was = this.panel;
    this.panel = null;
    this.o.onChange();
    if (was) this.o.focus?.(`toggle-${was}`);
  }

  setDialog(which: CallDialog, open: boolean): void {
    if (open) this.dialog = which;
    else if (this.dialog === which) this.dialog = null;
    this.o.onChange();
  }

  /** The layout for me (auto, speaker, grid), remembered for the next call. */
  setLayout(mode: LayoutMode): void {
    this.layoutMode = mode;
    saveLayoutMode(this.o.layoutStorage, mode);
    this.o.onChange();
  }

  knocked(userId: string): void {
    this.toastDismissed.delete(userId);
    this.o.onChange();
  }

  dismissToast(userIds: readonly string[]): void {
    for (const id of userIds) this.toastDismissed.add(id);
    this.o.onChange();
  }

  dismissAlone(): void {
    this.aloneDismissed = true;
    this.o.onChange();
  }

  dismissProblem(problem: MediaProblemSummary | undefined): void {
    this.dismissedProblem = problem;
    this.o.onChange();
  }

  audioWasBlocked(): void {
    if (this.audioBlocked) return;
    this.audioBlocked = true;
    this.o.onChange();
  }

  enableAudio(): void {
    this.audioBlocked = false;
    this.audioUnlock += 1;
    this.o.onChange();
  }

  /** The engine heard speech into a muted microphone: say so for MUTED_HINT_MS. */
  showMutedHint(): void {
    if (this.mutedSpeech) return;
    this.mutedSpeech = true;
    this.o.onChange();
    this.hintTimer = this.o.clock.setTimeout(() => this.dismissMutedHint(), MUTED_HINT_MS);
  }

  dismissMutedHint(): void {
    this.clearHintTimer();
    if (!this.mutedSpeech) return;
    this.mutedSpeech = false;
    this.o.onChange();
  }

  dispose(): void {
    this.clearHintTimer();
  }

  private clearHintTimer(): void {
    if (this.hintTimer === undefined) return;
    this.o.clock.clearTimeout(this.hintTimer);
    this.hintTimer = undefined;
  }
}
