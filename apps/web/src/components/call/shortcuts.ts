/** The call page's single-key shortcuts (as in Meet with its shortcuts turned on). */
export const SHORTCUTS = {
  m: 'mic',
  v: 'camera',
  s: 'screen',
  c: 'chat',
  p: 'participants',
} as const;

export type ShortcutAction = (typeof SHORTCUTS)[keyof typeof SHORTCUTS];

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

/** The action a keydown asks for, or undefined (modifiers, repeats, typing, other keys). */
export function shortcutFor(
  event: Pick<
    KeyboardEvent,
    'key' | 'ctrlKey' | 'metaKey' | 'altKey' | 'repeat' | 'target' | 'defaultPrevented'
  >,
): ShortcutAction | undefined {
  if (event.defaultPrevented || event.repeat) return undefined;
  if (event.ctrlKey || event.metaKey || event.altKey) return undefined;
  if (isTypingTarget(event.target)) return undefined;
  const key = event.key.length === 1 ? event.key.toLowerCase() : '';
  return (SHORTCUTS as Record<string, ShortcutAction>)[key];
}
