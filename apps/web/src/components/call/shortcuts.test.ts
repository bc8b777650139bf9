// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { isTypingTarget, shortcutFor } from './shortcuts';

afterEach(() => {
  document.body.innerHTML = '';
});

function key(k: string, target: EventTarget | null = document.body, extra = {}) {
  return {
    key: k,
    ctrlKey: false,
    metaKey: false,
    altKey: false,
    repeat: false,
    defaultPrevented: false,
    target,
    ...extra,
  };
}

describe('call shortcuts', () => {
  it('maps m, v, s, c and p in either case', () => {
    expect(shortcutFor(key('m'))).toBe('mic');
    expect(shortcutFor(key('V'))).toBe('camera');
    expect(shortcutFor(key('s'))).toBe('screen');
    expect(shortcutFor(key('c'))).toBe('chat');
    expect(shortcutFor(key('p'))).toBe('participants');
    expect(shortcutFor(key('x'))).toBeUndefined();
    expect(shortcutFor(key('Enter'))).toBeUndefined();
  });

  it('ignores keys pressed with a modifier or held down', () => {
    expect(shortcutFor(key('c', document.body, { ctrlKey: true }))).toBeUndefined();
    expect(shortcutFor(key('v', document.body, { metaKey: true }))).toBeUndefined();
    expect(shortcutFor(key('m', document.body, { repeat: true }))).toBeUndefined();
  });

  it('ignores keys typed into text fields', () => {
    document.body.innerHTML = `
      <input id="text" /><textarea id="area"></textarea><input id="box" type="checkbox" />
      <div contenteditable="true"><span id="inner">x</span></div><button id="btn">b</button>`;
    const byId = (id: string) => document.getElementById(id);
    expect(isTypingTarget(byId('text'))).toBe(true);
    expect(isTypingTarget(byId('area'))).toBe(true);
    expect(isTypingTarget(byId('inner'))).toBe(true);
    expect(isTypingTarget(byId('box'))).toBe(false);
    expect(isTypingTarget(byId('btn'))).toBe(false);
    expect(shortcutFor(key('m', byId('text')))).toBeUndefined();
    expect(shortcutFor(key('m', byId('btn')))).toBe('mic');
  });
});
