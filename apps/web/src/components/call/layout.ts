/** Where the call page puts its tiles: a grid of `cols` × `rows` cells of one size. */
export interface GridLayout {
  cols: number;
  rows: number;
  tileWidth: number;
  tileHeight: number;
}

const WIDE = 16 / 9;
/** On a portrait screen (a phone) tiles may be as tall as 3:4, so two people stack. */
const TALLEST_PORTRAIT = 3 / 4;

/**
 * The arrangement that gives each of `count` tiles the most area in a `width` × `height`
 * stage. Tiles are 16:9 on a landscape stage; on a portrait stage they may narrow down to
 * 3:4 so a phone shows people stacked and big rather than in letterbox strips. This makes
 * 1 → full, 2 → side by side (stacked on a phone), 3–4 → 2×2, more → the best grid.
 */
export function gridLayout(count: number, width: number, height: number, gap = 8): GridLayout {
  const n = Math.max(1, Math.floor(count));
  const w = Math.max(0, width);
  const h = Math.max(0, height);
  const narrowest = w >= h ? WIDE : TALLEST_PORTRAIT;
  let best: GridLayout = { cols: 1, rows: n, tileWidth: 0, tileHeight: 0 };
  let bestArea = -1;
  for (let cols = 1; cols <= n; cols++) {
    const rows = Math.ceil(n / cols);
    // A column count that leaves a whole row empty is never better than fewer columns.
    if ((cols - 1) * rows >= n && cols > 1) continue;
    const cellW = Math.max(0, (w - gap * (cols - 1)) / cols);
    const cellH = Math.max(0, (h - gap * (rows - 1)) / rows);
    let tileW = cellW;
    let tileH = cellH;
    const aspect = cellH > 0 ? cellW / cellH : WIDE;
    if (aspect > WIDE)
      tileW = cellH * WIDE; // too wide: narrow to 16:9
    else if (aspect < narrowest) tileH = cellW / narrowest; // too tall: shorten
    const area = tileW * tileH;
    // Ties go to fewer columns (bigger rows read more naturally).
    if (area > bestArea + 0.5) {
      bestArea = area;
      best = { cols, rows, tileWidth: Math.floor(tileW), tileHeight: Math.floor(tileH) };
    }
  }
  return best;
}
