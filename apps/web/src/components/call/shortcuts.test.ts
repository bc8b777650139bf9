// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import {
  SHORTCUT_KEYS,
  isInOverlay,
  isTypingTarget,
  shortcutFor,
  shortcutKeyLabel,
} from './shortcuts';

afterEach(() => {
  document.body.innerHTML = '';
});

function key(k: string, target: EventTarget | null = document.body, extra = {}) {
  return {
    key: k,
    code: /^[a-z]$/i.test(k) ? `Key${k.toUpperCase()}` : '',
    ctrlKey: false,
    metaKey: false,
    altKey: false,
    shiftKey: false,
    repeat: false,
    defaultPrevented: false,
    target,
    ...extra,
  };
}

describe('call shortcuts', () => {
  it('maps m, v, s, c, p and h in either case', () => {
    expect(shortcutFor(key('m'))).toBe('mic');
    expect(shortcutFor(key('V'))).toBe('camera');
    expect(shortcutFor(key('s'))).toBe('screen');
    expect(shortcutFor(key('c'))).toBe('chat');
    expect(shortcutFor(key('p'))).toBe('participants');
    expect(shortcutFor(key('h'))).toBe('hand');
    expect(shortcutFor(key('x'))).toBeUndefined();
    expect(shortcutFor(key('Enter'))).toBeUndefined();
  });

  it('opens the help with ? (Shift+/), the only key that may come with Shift', () => {
    expect(shortcutFor(key('?', document.body, { code: 'Slash', shiftKey: true }))).toBe('help');
    // Russian layout: ? sits on Shift+7.
    expect(shortcutFor(key('?', document.body, { code: 'Digit7', shiftKey: true }))).toBe('help');
    expect(shortcutFor(key('M', document.body, { shiftKey: true }))).toBeUndefined();
    expect(shortcutFor(key('/', document.body, { code: 'Slash' }))).toBeUndefined();
  });

  it('follows the physical key when the layout types another script', () => {
    // Russian ЙЦУКЕН: the M key types ь, the H key types р.
    expect(shortcutFor(key('ь', document.body, { code: 'KeyM' }))).toBe('mic');
    expect(shortcutFor(key('Р', document.body, { code: 'KeyH' }))).toBe('hand');
    expect(shortcutFor(key('ф', document.body, { code: 'KeyA' }))).toBeUndefined();
    // A Latin layout goes by the printed letter: Dvorak's m is not on the KeyM position.
    expect(shortcutFor(key('m', document.body, { code: 'KeyN' }))).toBe('mic');
    expect(shortcutFor(key('b', document.body, { code: 'KeyM' }))).toBeUndefined();
  });

  it('ignores keys pressed with a modifier or held down', () => {
    expect(shortcutFor(key('c', document.body, { ctrlKey: true }))).toBeUndefined();
    expect(shortcutFor(key('v', document.body, { metaKey: true }))).toBeUndefined();
    expect(shortcutFor(key('?', document.body, { altKey: true, shiftKey: true }))).toBeUndefined();
    expect(shortcutFor(key('m', document.body, { repeat: true }))).toBeUndefined();
    expect(shortcutFor(key('m', document.body, { defaultPrevented: true }))).toBeUndefined();
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
    expect(shortcutFor(key('?', byId('area'), { shiftKey: true }))).toBeUndefined();
    expect(shortcutFor(key('m', byId('btn')))).toBe('mic');
  });

  it('ignores keys pressed inside an open menu, dialog or popover (they belong to it)', () => {
    document.body.innerHTML = `
      <div data-reka-popper-content-wrapper><div role="menu" data-reka-menu-content>
        <div role="menuitem" id="item">Camera…</div></div></div>
      <div role="alertdialog"><button id="confirm">Remove</button></div>
      <div data-reka-popper-content-wrapper><div role="dialog"><button id="emoji">x</button></div></div>
      <div role="listbox"><div role="option" id="option">a</div></div>
      <button id="bar">mic</button>`;
    const byId = (id: string) => document.getElementById(id);
    for (const id of ['item', 'confirm', 'emoji', 'option']) {
      expect(isInOverlay(byId(id))).toBe(true);
      expect(shortcutFor(key('c', byId(id)))).toBeUndefined();
      expect(shortcutFor(key('?', byId(id), { shiftKey: true }))).toBeUndefined();
    }
    expect(isInOverlay(byId('bar'))).toBe(false);
    expect(shortcutFor(key('c', byId('bar')))).toBe('chat');
  });

  it('lists every shortcut once with its key cap, for the help overlay', () => {
    expect(SHORTCUT_KEYS.map((k) => k.key)).toEqual(['M', 'V', 'S', 'C', 'P', 'H', '?']);
    expect(new Set(SHORTCUT_KEYS.map((k) => k.action)).size).toBe(SHORTCUT_KEYS.length);
    expect(shortcutKeyLabel('hand')).toBe('H');
    expect(shortcutKeyLabel('help')).toBe('?');
  });
});
