import { describe, expect, it } from 'vitest';
import { bitrateForRoomSize } from './bitrate';

describe('bitrateForRoomSize', () => {
  it('gives a 1:1 call 1.5 Mbps per peer', () => {
    expect(bitrateForRoomSize(1)).toBe(1_500_000);
    expect(bitrateForRoomSize(2)).toBe(1_500_000);
  });

  it('gives 3–4 people 800 kbps, 5–8 people 500 kbps and larger rooms 300 kbps', () => {
    expect([3, 4].map(bitrateForRoomSize)).toEqual([800_000, 800_000]);
    expect([5, 8].map(bitrateForRoomSize)).toEqual([500_000, 500_000]);
    expect([9, 12, 50].map(bitrateForRoomSize)).toEqual([300_000, 300_000, 300_000]);
  });

  it('keeps the total video upload of a mesh of up to 12 people at or under 3.5 Mbps', () => {
    for (let n = 2; n <= 12; n++) {
      expect(bitrateForRoomSize(n) * (n - 1)).toBeLessThanOrEqual(3_500_000);
    }
  });

  it('never increases as the room grows', () => {
    for (let n = 1; n < 50; n++) {
      expect(bitrateForRoomSize(n + 1)).toBeLessThanOrEqual(bitrateForRoomSize(n));
    }
  });
});
