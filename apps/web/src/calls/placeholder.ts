import type { Clock, TimerId } from './clock';

export interface PlaceholderVideo {
  track: MediaStreamTrack;
  stop(): void;
}

/** "Ada Lovelace" -> "AL", "grace" -> "G", "" -> "?" (code points, so emoji stay whole). */
export function initialsOf(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return '?';
  const first = Array.from(words[0]!)[0] ?? '';
  const last = words.length > 1 ? (Array.from(words.at(-1)!)[0] ?? '') : '';
  return (first + last).toUpperCase();
}

const PALETTE = ['#2563eb', '#7c3aed', '#db2777', '#ea580c', '#16a34a', '#0891b2'];

/**
 * A generated video track showing initials on a coloured disc, from a canvas stream:
 * what others see from someone who has no usable camera. Undefined where there is no
 * canvas or no captureStream (then the person simply sends no video).
 */
export function createPlaceholderVideo(opts: {
  label: string;
  createCanvas: () => HTMLCanvasElement | undefined;
  clock: Clock;
  width?: number;
  height?: number;
}): PlaceholderVideo | undefined {
  const canvas = opts.createCanvas();
  if (!canvas || typeof canvas.captureStream !== 'function') return undefined;
  canvas.width = opts.width ?? 640;
  canvas.height = opts.height ?? 360;
  const ctx = canvas.getContext('2d');
  if (!ctx) return undefined;
  const initials = initialsOf(opts.label);
  let hash = 0;
  for (const ch of opts.label) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  const colour = PALETTE[hash % PALETTE.length]!;
  const { width, height } = canvas;
  const radius = Math.min(width, height) / 4;

  const draw = () => {
    ctx.fillStyle = '#111827';
    ctx.fillRect(0, 0, width, height);
    ctx.fillStyle = colour;
    ctx.beginPath();
    ctx.arc(width / 2, height / 2, radius, 0, Math.PI * 2);
    ctx.fill();
    ctx.fillStyle = '#ffffff';
    ctx.font = `600 ${Math.round(radius * 0.9)}px system-ui, sans-serif`;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillText(initials, width / 2, height / 2);
  };
  draw();
  const track = canvas.captureStream(5).getVideoTracks()[0];
  if (!track) return undefined;
  // A canvas stream only yields frames when painted; repainting keeps the far end's
  // decoder fed so the tile does not look frozen or get dropped as inactive.
  const timer: TimerId = opts.clock.setInterval(draw, 1000);
  return {
    track,
    stop: () => {
      opts.clock.clearInterval(timer);
      track.stop();
    },
  };
}
