import {
  DisplayName,
  Email,
  MaxParticipants,
  Password,
  RoomName,
  RoomPassword,
} from '@parley/protocol';

type Schema = { safeParse(value: unknown): { success: boolean } };

/**
 * Client-side checks with the very schemas the server applies, so a form never disagrees with
 * the API; each field has one translated explanation (the i18n key).
 */
const RULES = {
  email: [Email, 'validation.email'],
  password: [Password, 'validation.password'],
  displayName: [DisplayName, 'validation.displayName'],
  roomName: [RoomName, 'validation.roomName'],
  roomPassword: [RoomPassword, 'validation.roomPassword'],
  maxParticipants: [MaxParticipants, 'validation.maxParticipants'],
} as const satisfies Record<string, readonly [Schema, string]>;

export type Rule = keyof typeof RULES;

/** The i18n key explaining why `value` is not acceptable, or null when it is. */
export function check(rule: Rule, value: unknown): string | null {
  const [schema, key] = RULES[rule];
  return schema.safeParse(value).success ? null : key;
}

export function ruleKey(rule: Rule): string {
  return RULES[rule][1];
}
