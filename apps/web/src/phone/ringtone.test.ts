import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Ringtone } from './ringtone';

/** Just enough of an AudioContext to count oscillators and see it closed. */
class FakeAudioContext {
  state: 'running' | 'suspended' | 'closed' = 'running';
  currentTime = 0;
  destination = {};
  oscillators = 0;
  resumed = 0;
  createGain() {
    const param = {
      setValueAtTime: () => param,
      exponentialRampToValueAtTime: () => param,
    };
    return { gain: param, connect: () => undefined };
  }
  createOscillator() {
    this.oscillators += 1;
    return {
      type: 'sine',
      frequency: { value: 0 },
      connect: () => undefined,
      start: () => undefined,
      stop: () => undefined,
    };
  }
  close() {
    this.state = 'closed';
    return Promise.resolve();
  }
  resume() {
    this.resumed += 1;
    this.state = 'running';
    return Promise.resolve();
  }
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('Ringtone', () => {
  it('rings every period until stopped, then closes its audio context', () => {
    const contexts: FakeAudioContext[] = [];
    const tone = new Ringtone({
      createContext: () => {
        const c = new FakeAudioContext();
        contexts.push(c);
        return c as unknown as AudioContext;
      },
    });
    tone.start();
    tone.start();
    expect(contexts).toHaveLength(1);
    const first = contexts[0]!.oscillators;
    expect(first).toBeGreaterThan(0);
    vi.advanceTimersByTime(3_000);
    expect(contexts[0]!.oscillators).toBe(first * 2);
    tone.stop();
    expect(tone.playing).toBe(false);
    expect(contexts[0]!.state).toBe('closed');
    vi.advanceTimersByTime(10_000);
    expect(contexts[0]!.oscillators).toBe(first * 2);
  });

  it('resumes a context the browser suspended', () => {
    const ctx = new FakeAudioContext();
    ctx.state = 'suspended';
    const tone = new Ringtone({ createContext: () => ctx as unknown as AudioContext });
    tone.start();
    expect(ctx.resumed).toBe(1);
    tone.stop();
  });

  it('without Web Audio it still tracks that it is ringing, silently', () => {
    const tone = new Ringtone({ createContext: () => undefined });
    tone.start();
    expect(tone.playing).toBe(true);
    tone.stop();
    tone.stop();
    expect(tone.playing).toBe(false);
  });
});
