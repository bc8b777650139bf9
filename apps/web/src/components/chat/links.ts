/**
 * A chat message as pieces to render: plain text, or an http(s) link. The page renders
 * every piece with text interpolation (never as HTML); only `link` pieces become anchors,
 * and only with an `http:`/`https:` href that the URL parser agreed with.
 */
export type TextSegment =
  { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string };

// A candidate starts at "http://" or "https://" (any case) and runs to whitespace or a
// character that cannot be part of a URL in running text.
const CANDIDATE = /https?:\/\/[^\s<>"'`{}|\\^]+/giu;
// Punctuation that usually ends a sentence rather than the URL.
const TRAILING = /[.,;:!?…»"')\]]+$/u;

/** Splits `text` into text and link pieces; joining every piece's `text` gives `text` back. */
export function segmentText(text: string): TextSegment[] {
  const out: TextSegment[] = [];
  let last = 0;
  for (const match of text.matchAll(CANDIDATE)) {
    const start = match.index;
    let candidate = match[0];
    // Keep a closing parenthesis that balances one inside the URL (Wikipedia links).
    const trailing = TRAILING.exec(candidate);
    if (trailing) {
      let cut = trailing[0];
      const opens = (candidate.match(/\(/g) ?? []).length;
      const closes = (candidate.match(/\)/g) ?? []).length;
      if (cut.startsWith(')') && opens >= closes) cut = cut.slice(1);
      candidate = candidate.slice(0, candidate.length - cut.length);
    }
    const href = safeHref(candidate);
    if (!href) continue;
    if (start > last) out.push({ kind: 'text', text: text.slice(last, start) });
    out.push({ kind: 'link', text: candidate, href });
    last = start + candidate.length;
  }
  if (last < text.length) out.push({ kind: 'text', text: text.slice(last) });
  return merge(out);
}

/** The URL as the browser will follow it, when it is http(s) with a host; else undefined. */
export function safeHref(candidate: string): string | undefined {
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (!url.hostname) return undefined;
  return url.href;
}

function merge(segments: TextSegment[]): TextSegment[] {
  const out: TextSegment[] = [];
  for (const s of segments) {
    const prev = out[out.length - 1];
    if (s.kind === 'text' && prev?.kind === 'text') prev.text += s.text;
    else out.push({ ...s });
  }
  return out;
}
