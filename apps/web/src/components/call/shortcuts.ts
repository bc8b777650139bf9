/** The call page's single-key shortcuts (as in Meet with its shortcuts turned on). */
export const SHORTCUTS = {
  m: 'mic',
  v: 'camera',
  s: 'screen',
  c: 'chat',
  p: 'participants',
  h: 'hand',
  '?': 'help',
} as const;

export type ShortcutAction = (typeof SHORTCUTS)[keyof typeof SHORTCUTS];

/** The keys in the order the help overlay lists them, with the label on the key cap. */
export const SHORTCUT_KEYS: readonly { key: string; action: ShortcutAction }[] = Object.entries(
  SHORTCUTS,
).map(([key, action]) => ({ key: key.toUpperCase(), action }));

/** The key cap of an action ('M', '?'), for tooltips and `aria-keyshortcuts`. */
export function shortcutKeyLabel(action: ShortcutAction): string {
  return SHORTCUT_KEYS.find((k) => k.action === action)?.key ?? '';
}

/** Typing a name or a chat message must not switch the camera off. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!target || typeof (target as Element).closest !== 'function') return false;
  const el = target as HTMLElement;
  if (el.isContentEditable) return true;
  const field = el.closest(
    'input, textarea, select, [contenteditable=""], [contenteditable="true"]',
  );
  if (!field) return false;
  // Checkboxes and buttons typed as inputs take no text.
  if (field instanceof HTMLInputElement) {
    return !['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color'].includes(
      field.type,
    );
  }
  return true;
}

/**
 * What reka-ui draws for an open menu, dialog, popover or list box. Keys typed there belong
 * to it (a menu's typeahead jumps to "Camera…" on "c" without preventDefault), and a dialog
 * the page does not track (the kick confirmation) must not get a second one over it.
 */
const OVERLAY =
  '[role="menu"], [role="dialog"], [role="alertdialog"], [role="listbox"], [data-reka-menu-content], [data-reka-popper-content-wrapper]';

/** The keydown comes from inside an open menu, dialog or popover. */
export function isInOverlay(target: EventTarget | null): boolean {
  if (!target || typeof (target as Element).closest !== 'function') return false;
  return (target as Element).closest(OVERLAY) !== null;
}

/**
 * The shortcut key a keydown stands for. The printed character decides on Latin layouts
 * (so Dvorak and AZERTY users press the letter they see); on another script (Russian
 * ЙЦУКЕН types 'ь' on the M key) the physical key does, as Meet's shortcuts do.
 */
function keyOf(event: Pick<KeyboardEvent, 'key' | 'code'>): string {
  if (event.key.length !== 1) return '';
  const key = event.key.toLowerCase();
  if (/^\p{L}$/u.test(key) && !/^[a-z]$/.test(key)) {
    return /^Key([A-Z])$/.exec(event.code)?.[1]?.toLowerCase() ?? '';
  }
  return key;
}

/**
 * The action a keydown asks for, or undefined (modifiers, repeats, typing, keys inside an
 * open menu or dialog, other keys).
 * Shift only with `?`, which needs it on most layouts; Shift+M is left to the browser.
 */
export function shortcutFor(
  event: Pick<
    KeyboardEvent,
    | 'key'
    | 'code'
    | 'ctrlKey'
    | 'metaKey'
    | 'altKey'
    | 'shiftKey'
    | 'repeat'
    | 'target'
    | 'defaultPrevented'
  >,
): ShortcutAction | undefined {
  if (event.defaultPrevented || event.repeat) return undefined;
  if (event.ctrlKey || event.metaKey || event.altKey) return undefined;
  if (isTypingTarget(event.target) || isInOverlay(event.target)) return undefined;
  const key = keyOf(event);
  if (event.shiftKey && key !== '?') return undefined;
  return (SHORTCUTS as Record<string, ShortcutAction>)[key];
}
