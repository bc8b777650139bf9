import { describe, expect, it } from 'vitest';
import { debugEnabled } from './debug';

function memoryStorage() {
  const m = new Map<string, string>();
  return {
    getItem: (k: string) => m.get(k) ?? null,
    setItem: (k: string, v: string) => void m.set(k, v),
    removeItem: (k: string) => void m.delete(k),
  };
}

describe('the debug handle is only for development or a tab opened with ?debug', () => {
  it('a production tab without ?debug has none', () => {
    expect(debugEnabled('', memoryStorage(), false)).toBe(false);
    expect(debugEnabled('?relay=1', memoryStorage(), false)).toBe(false);
  });

  it('development always has it', () => {
    expect(debugEnabled('', memoryStorage(), true)).toBe(true);
  });

  it('?debug is remembered for the tab, so the call page reached later has it; ?debug=0 ends it', () => {
    const tab = memoryStorage();
    expect(debugEnabled('?debug', tab, false)).toBe(true);
    expect(debugEnabled('', tab, false)).toBe(true);
    expect(debugEnabled('?debug=0', tab, false)).toBe(false);
    expect(debugEnabled('', tab, false)).toBe(false);
    expect(debugEnabled('?debug=1', tab, false)).toBe(true);
  });

  it('blocked storage still honours the address', () => {
    const blocked = {
      getItem: () => {
        throw new Error('blocked');
      },
      setItem: () => {
        throw new Error('blocked');
      },
      removeItem: () => undefined,
    };
    expect(debugEnabled('?debug=1', blocked, false)).toBe(true);
    expect(debugEnabled('', blocked, false)).toBe(false);
  });
});
