import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { segmentText } from './links';

// Chat text built from pieces that stress the splitter: URLs of every scheme, trailing
// punctuation, brackets, quotes, whitespace and arbitrary Unicode (lone surrogates too).
const fragment = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  fc.webUrl({ validSchemes: ['javascript', 'data', 'ftp', 'file', 'vbscript'] }),
  fc.constantFrom(
    'http://',
    'https://',
    'HTTPS://',
    'hTtP://',
    'xhttp://',
    'javascript:',
    'http://javascript:alert(1)',
    '(',
    ')',
    '.',
    ',',
    '!?',
    '…',
    '»',
    '"',
    "'",
    '<',
    '>',
    ' ',
    '\n',
    '\t',
    '\u00a0',
    '\u0000',
    '\u0001',
    '@',
    ':',
    '[',
    ']',
  ),
);
const chatText = fc.array(fragment, { maxLength: 12 }).map((parts) => parts.join(''));

describe('segmentText, for any chat text', () => {
  it('gives the text back when the pieces are joined', () => {
    fc.assert(
      fc.property(chatText, (text) => {
        expect(
          segmentText(text)
            .map((s) => s.text)
            .join(''),
        ).toBe(text);
      }),
      { numRuns: 1000 },
    );
  });

  it('makes no empty piece and never two text pieces in a row', () => {
    fc.assert(
      fc.property(chatText, (text) => {
        const segments = segmentText(text);
        for (const [i, s] of segments.entries()) {
          expect(s.text).not.toBe('');
          if (i > 0) expect(s.kind === 'text' && segments[i - 1]?.kind === 'text').toBe(false);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('links only http(s) URLs with a host, with the href the browser would follow', () => {
    fc.assert(
      fc.property(chatText, (text) => {
        for (const s of segmentText(text)) {
          if (s.kind !== 'link') continue;
          expect(s.text).toMatch(/^https?:\/\//i);
          expect(s.text).not.toMatch(/\s/u);
          const url = new URL(s.href);
          expect(['http:', 'https:']).toContain(url.protocol);
          expect(url.hostname).not.toBe('');
          expect(new URL(s.text).href).toBe(s.href);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('links a plain http(s) URL between spaces as a whole', () => {
    // No quotes or brackets, and no ending the splitter reads as the end of a sentence ("…:").
    const plainUrl = fc
      .webUrl({ validSchemes: ['http', 'https'] })
      .filter((u) => /^[A-Za-z0-9:/._~%-]+$/.test(u) && !/[.:]$/.test(u));
    fc.assert(
      fc.property(plainUrl, (url) => {
        const links = segmentText(`see ${url} now`).filter((s) => s.kind === 'link');
        expect(links).toEqual([{ kind: 'link', text: url, href: new URL(url).href }]);
      }),
      { numRuns: 300 },
    );
  });
});
