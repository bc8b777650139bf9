import { describe, expect, it } from 'vitest';
import { segmentText } from './links';

const joined = (text: string) =>
  segmentText(text)
    .map((s) => s.text)
    .join('');

describe('segmentText', () => {
  it('keeps plain text as one text piece', () => {
    expect(segmentText('hello there')).toEqual([{ kind: 'text', text: 'hello there' }]);
  });

  it('makes http and https URLs links and keeps the text around them', () => {
    expect(segmentText('see https://example.org/a?b=1 and http://x.test.')).toEqual([
      { kind: 'text', text: 'see ' },
      { kind: 'link', text: 'https://example.org/a?b=1', href: 'https://example.org/a?b=1' },
      { kind: 'text', text: ' and ' },
      { kind: 'link', text: 'http://x.test', href: 'http://x.test/' },
      { kind: 'text', text: '.' },
    ]);
  });

  it('never links javascript:, data: or other schemes', () => {
    for (const text of [
      'javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'JaVaScRiPt:alert(document.cookie)',
      'file:///etc/passwd',
      'ftp://example.org/x',
      'vbscript:msgbox(1)',
    ]) {
      const segments = segmentText(text);
      expect(
        segments.every((s) => s.kind === 'text'),
        text,
      ).toBe(true);
      expect(joined(text)).toBe(text);
    }
  });

  it('does not let a javascript: URL hide behind an http-looking prefix', () => {
    const segments = segmentText('xhttp://javascript:alert(1)');
    for (const s of segments) {
      if (s.kind === 'link') expect(s.href.startsWith('http')).toBe(true);
    }
  });

  it('keeps HTML as text', () => {
    const text = '<script>alert(1)</script> <img src=x onerror=alert(1)>';
    expect(segmentText(text)).toEqual([{ kind: 'text', text }]);
  });

  it('stops a URL at quotes and angle brackets', () => {
    const segments = segmentText('<a href="https://evil.test/">x</a>');
    expect(segments.filter((s) => s.kind === 'link')).toEqual([
      { kind: 'link', text: 'https://evil.test/', href: 'https://evil.test/' },
    ]);
    expect(joined('<a href="https://evil.test/">x</a>')).toBe('<a href="https://evil.test/">x</a>');
  });

  it('keeps a balanced closing parenthesis and drops an unbalanced one', () => {
    const wiki = 'https://en.wikipedia.org/wiki/Foo_(bar)';
    expect(segmentText(wiki)).toEqual([{ kind: 'link', text: wiki, href: wiki }]);
    expect(segmentText('(see https://a.test/x)')[1]).toEqual({
      kind: 'link',
      text: 'https://a.test/x',
      href: 'https://a.test/x',
    });
  });

  it('leaves a URL without a host as text', () => {
    expect(segmentText('http:// nothing')).toEqual([{ kind: 'text', text: 'http:// nothing' }]);
  });
});
