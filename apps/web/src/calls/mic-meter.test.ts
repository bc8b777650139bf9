import { describe, expect, it } from 'vitest';
import { MicMeter, levelFromRms, levelFromSamples } from './mic-meter';
import { FakeMediaStreamTrack, asTrack, createFakeStream } from './testing/fake-media';

/** An AudioContext whose analyser hears a constant amplitude; records the streams it taps. */
function fakeAudio(amplitude: () => number) {
  const tapped: MediaStream[] = [];
  let closed = false;
  const ctx = {
    state: 'running',
    createAnalyser: () => ({
      fftSize: 0,
      getFloatTimeDomainData: (buf: Float32Array) => buf.fill(amplitude()),
    }),
    createMediaStreamSource: (stream: MediaStream) => {
      tapped.push(stream);
      return { connect: () => undefined, disconnect: () => undefined };
    },
    resume: () => Promise.resolve(),
    close: () => {
      closed = true;
      return Promise.resolve();
    },
  };
  return { ctx: ctx as unknown as AudioContext, tapped, closed: () => closed };
}

describe('MicMeter', () => {
  it('maps -60..-10 dBFS onto 0..1', () => {
    expect(levelFromRms(0)).toBe(0);
    expect(levelFromRms(10 ** (-60 / 20))).toBeCloseTo(0);
    expect(levelFromRms(10 ** (-35 / 20))).toBeCloseTo(0.5);
    expect(levelFromRms(1)).toBe(1);
    expect(levelFromSamples(new Float32Array([0.5, -0.5]))).toBeCloseTo(levelFromRms(0.5));
  });

  it('hears a muted mic through an enabled clone, leaving the sent track disabled', () => {
    const audio = fakeAudio(() => 0.1);
    const meter = new MicMeter({
      createAudioContext: () => audio.ctx,
      createMediaStream: createFakeStream,
    });
    const created: FakeMediaStreamTrack[] = [];
    const mic = new FakeMediaStreamTrack('audio', 'mic', {}, created);
    mic.enabled = false;
    meter.setTrack(asTrack(mic));

    expect(meter.level()).toBeCloseTo(levelFromRms(0.1));
    const tap = audio.tapped[0]!.getAudioTracks()[0]!;
    expect(tap).not.toBe(asTrack(mic));
    expect(tap.enabled).toBe(true);
    expect(mic.enabled).toBe(false);

    // A new mic (or none) stops the clone, so nothing keeps the old device open.
    meter.setTrack(null);
    expect(tap.readyState).toBe('ended');
    expect(mic.readyState).toBe('live');
    expect(meter.level()).toBe(0);
  });

  it('is 0 for an ended track and without Web Audio, and close() releases the clone', () => {
    const none = new MicMeter({
      createAudioContext: () => undefined,
      createMediaStream: createFakeStream,
    });
    none.setTrack(asTrack(new FakeMediaStreamTrack('audio')));
    expect(none.level()).toBe(0);

    const audio = fakeAudio(() => 0.5);
    const meter = new MicMeter({
      createAudioContext: () => audio.ctx,
      createMediaStream: createFakeStream,
    });
    const mic = new FakeMediaStreamTrack('audio');
    meter.setTrack(asTrack(mic));
    expect(meter.level()).toBeGreaterThan(0.5);
    const tap = audio.tapped[0]!.getAudioTracks()[0]!;
    meter.close();
    expect(tap.readyState).toBe('ended');
    expect(audio.closed()).toBe(true);
    mic.stop();
    meter.setTrack(asTrack(mic));
    expect(meter.level()).toBe(0);
  });
});
