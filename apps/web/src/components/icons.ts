/** Stroke icons on a 24×24 grid (drawn for Parley; 2 px round strokes, currentColor). */
type Shape =
  | { tag: 'path'; d: string }
  | { tag: 'rect'; x: number; y: number; width: number; height: number; rx?: number }
  | { tag: 'circle'; cx: number; cy: number; r: number };

const p = (d: string): Shape => ({ tag: 'path', d });
const rect = (x: number, y: number, width: number, height: number, rx = 2): Shape => ({
  tag: 'rect',
  x,
  y,
  width,
  height,
  rx,
});
const circle = (cx: number, cy: number, r: number): Shape => ({ tag: 'circle', cx, cy, r });

const slash = p('M3 3l18 18');

export const ICONS = {
  video: [p('M15 10l4.55-2.28A1 1 0 0 1 21 8.62v6.76a1 1 0 0 1-1.45.9L15 14'), rect(3, 6, 12, 12)],
  videoOff: [
    p('M15 10l4.55-2.28A1 1 0 0 1 21 8.62v6.76a1 1 0 0 1-1.45.9L15 14'),
    p('M15 11V8a2 2 0 0 0-2-2H9M5 6a2 2 0 0 0-2 2v8a2 2 0 0 0 2 2h8a2 2 0 0 0 2-2v-1'),
    slash,
  ],
  mic: [rect(9, 2, 6, 12, 3), p('M19 10v1a7 7 0 0 1-14 0v-1'), p('M12 18v4')],
  micOff: [
    p('M15 9.34V5a3 3 0 0 0-5.68-1.33'),
    p('M9 9v2a3 3 0 0 0 5.12 2.12'),
    p('M19 10v1a7 7 0 0 1-.8 3.25M16.95 16.95A7 7 0 0 1 5 11v-1'),
    p('M12 18v4'),
    slash,
  ],
  keyboard: [rect(2, 6, 20, 12), p('M6 10h.01M10 10h.01M14 10h.01M18 10h.01M7 14h10')],
  link: [
    p('M10 13a5 5 0 0 0 7.54.54l3-3a5 5 0 0 0-7.07-7.07l-1.72 1.71'),
    p('M14 11a5 5 0 0 0-7.54-.54l-3 3a5 5 0 0 0 7.07 7.07l1.71-1.71'),
  ],
  shield: [p('M12 22s8-4 8-10V5l-8-3-8 3v7c0 6 8 10 8 10z'), p('M9 12l2 2 4-4')],
  users: [
    circle(9, 8, 4),
    p('M2 21v-1a6 6 0 0 1 6-6h2a6 6 0 0 1 6 6v1'),
    p('M16 3.13a4 4 0 0 1 0 7.75'),
    p('M22 21v-1a6 6 0 0 0-4-5.65'),
  ],
  message: [p('M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2z')],
  server: [rect(3, 4, 18, 7), rect(3, 13, 18, 7), p('M7 7.5h.01M7 16.5h.01')],
  globe: [circle(12, 12, 10), p('M2 12h20'), p('M12 2a15 15 0 0 1 0 20a15 15 0 0 1 0-20z')],
  copy: [rect(9, 9, 13, 13), p('M5 15H4a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2h9a2 2 0 0 1 2 2v1')],
  check: [p('M20 6 9 17l-5-5')],
  chevronDown: [p('m6 9 6 6 6-6')],
  logout: [p('M9 21H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h4'), p('m16 17 5-5-5-5'), p('M21 12H9')],
  plus: [p('M12 5v14M5 12h14')],
  lock: [rect(4, 11, 16, 10), p('M8 11V7a4 4 0 0 1 8 0v4')],
  speaker: [
    p('M11 5 6 9H2v6h4l5 4V5z'),
    p('M15.54 8.46a5 5 0 0 1 0 7.07'),
    p('M19.07 4.93a10 10 0 0 1 0 14.14'),
  ],
  alert: [circle(12, 12, 10), p('M12 8v4M12 16h.01')],
  arrowLeft: [p('M19 12H5M12 19l-7-7 7-7')],
  clock: [circle(12, 12, 10), p('M12 6v6l4 2')],
  refresh: [p('M21 12a9 9 0 1 1-3-6.7L21 8'), p('M21 3v5h-5')],
  user: [circle(12, 8, 4), p('M4 21v-1a7 7 0 0 1 16 0v1')],
  close: [p('M18 6 6 18M6 6l12 12')],
  wifi: [
    p('M5 12.55a11 11 0 0 1 14.08 0'),
    p('M1.42 9a16 16 0 0 1 21.16 0'),
    p('M8.53 16.11a6 6 0 0 1 6.95 0'),
    p('M12 20h.01'),
  ],
  grid: [
    rect(3, 3, 7, 7, 1.5),
    rect(14, 3, 7, 7, 1.5),
    rect(3, 14, 7, 7, 1.5),
    rect(14, 14, 7, 7, 1.5),
  ],
  screenShare: [rect(2, 3, 20, 14), p('M8 21h8M12 17v4'), p('m9 10 3-3 3 3'), p('M12 7v6')],
  screenShareOff: [
    p('M22 15V5a2 2 0 0 0-2-2H9'),
    p('M5 3a2 2 0 0 0-3 2v10a2 2 0 0 0 2 2h13'),
    p('M8 21h8M12 17v4'),
    slash,
  ],
  hangUp: [
    p(
      'M3.6 14.9l-1.3-1.3a1.5 1.5 0 0 1 0-2.1C5 8.8 8.4 7.5 12 7.5s7 1.3 9.7 4a1.5 1.5 0 0 1 0 2.1l-1.3 1.3a1.5 1.5 0 0 1-1.9.2l-2-1.3a1.5 1.5 0 0 1-.7-1.3V10.6a13 13 0 0 0-7.6 0v1.9a1.5 1.5 0 0 1-.7 1.3l-2 1.3a1.5 1.5 0 0 1-1.9-.2z',
    ),
  ],
  userPlus: [circle(9, 7, 4), p('M2 21v-2a4 4 0 0 1 4-4h6a4 4 0 0 1 4 4v2'), p('M19 8v6M22 11h-6')],
  userMinus: [circle(9, 7, 4), p('M2 21v-2a4 4 0 0 1 4-4h6a4 4 0 0 1 4 4v2'), p('M16 11h6')],
  more: [circle(12, 5, 1), circle(12, 12, 1), circle(12, 19, 1)],
  crown: [p('M2.5 7.5 7 11l5-7 5 7 4.5-3.5L19.5 18h-15z'), p('M5 21h14')],
  stop: [rect(6, 6, 12, 12, 2)],
  tv: [rect(2, 7, 20, 14, 2), p('m17 2-5 5-5-5')],
  bell: [p('M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9'), p('M10.3 21a1.94 1.94 0 0 0 3.4 0')],
} satisfies Record<string, Shape[]>;

export type IconName = keyof typeof ICONS;
