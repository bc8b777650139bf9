/**
 * A short two-note "knock" made with Web Audio when someone asks to join: no audio file to
 * ship or fetch. Silently does nothing where audio cannot start (no Web Audio, or the
 * browser's autoplay rules hold the context suspended).
 */
export function playKnock(createContext: () => AudioContext | undefined = defaultContext): void {
  let ctx: AudioContext | undefined;
  try {
    ctx = createContext();
  } catch {
    return;
  }
  if (!ctx) return;
  const audio = ctx;
  const start = audio.currentTime + 0.02;
  const notes: [frequency: number, at: number][] = [
    [880, 0],
    [1318.5, 0.16],
  ];
  for (const [frequency, at] of notes) {
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.type = 'sine';
    osc.frequency.value = frequency;
    // A soft attack and an exponential tail: a chime, not a beep.
    gain.gain.setValueAtTime(0.0001, start + at);
    gain.gain.exponentialRampToValueAtTime(0.18, start + at + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + at + 0.35);
    osc.connect(gain).connect(audio.destination);
    osc.start(start + at);
    osc.stop(start + at + 0.4);
  }
  void audio.resume().catch(() => undefined);
  setTimeout(() => void audio.close().catch(() => undefined), 1_000);
}

function defaultContext(): AudioContext | undefined {
  return typeof AudioContext === 'undefined' ? undefined : new AudioContext();
}
