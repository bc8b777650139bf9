import { describe, expect, it } from 'vitest';
import { owner, tally } from './profile-top.js';

const frame = (functionName: string, url = '', lineNumber = 0) => ({
  functionName,
  url,
  lineNumber,
});

describe('profile-top', () => {
  it('names the owner of a frame by package, node module or source folder', () => {
    expect(owner(frame('f', 'file:///r/node_modules/kysely/dist/esm/x.js'))).toBe('kysely');
    expect(owner(frame('f', 'file:///r/node_modules/@fastify/websocket/index.js'))).toBe(
      '@fastify/websocket',
    );
    expect(owner(frame('f', 'node:internal/crypto/util'))).toBe('node:internal/crypto');
    expect(owner(frame('f', 'file:///r/apps/server/dist/modules/auth/service.js'))).toBe(
      'apps/server/dist/modules/auth',
    );
    expect(owner(frame('(garbage collector)'))).toBe('(garbage collector)');
  });

  it('counts self and inclusive time, skips the start and the idle samples', () => {
    // root → a → b; samples: b (10 µs), a (20), idle (50), b (5) — the first 10 µs skipped.
    const profile = {
      nodes: [
        { id: 1, callFrame: frame('(root)'), children: [2, 4] },
        { id: 2, callFrame: frame('a', 'file:///x/a.js', 1), children: [3] },
        { id: 3, callFrame: frame('b', 'file:///x/b.js', 2) },
        { id: 4, callFrame: frame('(idle)') },
      ],
      samples: [3, 2, 4, 3],
      timeDeltas: [10, 20, 50, 5],
    };
    const t = tally(profile, 11);
    expect(t.total).toBe(25);
    expect(t.self.get('a a.js:2')).toBe(20);
    expect(t.self.get('b b.js:3')).toBe(5);
    expect(t.inclusive.get('a a.js:2')).toBe(25);
    expect(t.owners.get('/x/a.js')).toBe(20);
  });
});
