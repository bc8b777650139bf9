import type { Generated } from 'kysely';

/**
 * Row types as stored. Portable across SQLite and PostgreSQL on purpose:
 * timestamps are ISO-8601 UTC text (`toISOString()`, which sorts correctly as text)
 * and booleans are 0/1 integers. Repos convert to domain types.
 */
export interface UsersTable {
  id: string;
  /** Lower-cased; null for guests. Unique. */
  email: string | null;
  password_hash: string | null;
  display_name: string;
  role: 'member' | 'provider' | 'admin';
  is_guest: number;
  disabled_at: string | null;
  created_at: string;
  last_seen_at: string | null;
  /**
   * The display name as search compares it (`searchKey`: NFKC, lower-cased in JavaScript,
   * so every script folds alike; SQLite's lower() folds ASCII only).
   */
  search_name: string;
  /** 0/1: calls to this user are answered `busy` at once. */
  do_not_disturb: number;
}

export interface RefreshTokensTable {
  id: string;
  user_id: string;
  /** All tokens descended from one login share a family; reuse revokes the family. */
  family_id: string;
  /** SHA-256 of the opaque token; the token itself is never stored. */
  token_hash: string;
  created_at: string;
  expires_at: string;
  /** Set when the token was exchanged for a new one. */
  used_at: string | null;
  revoked_at: string | null;
}

export interface RoomsTable {
  id: string;
  code: string;
  name: string;
  host_id: string;
  visibility: 'public' | 'private';
  entry: 'open' | 'password' | 'approval';
  password_hash: string | null;
  chat_enabled: number;
  max_participants: number;
  locked: number;
  status: 'open' | 'closed';
  created_at: string;
  closed_at: string | null;
  close_reason: 'ended' | 'expired' | null;
  empty_since: string | null;
  /** `direct`: a direct call's private two-person room. */
  kind: 'meeting' | 'direct' | 'appointment';
  /** 1: ad-hoc, closes when left empty; 0: stays until its host ends it. */
  instant: number;
  /** When the meeting going on now began; null while nobody is in its call. */
  meeting_started_at: string | null;
}

export interface RoomParticipantsTable {
  room_id: string;
  user_id: string;
  role: 'host' | 'cohost' | 'participant';
  status: 'pending' | 'approved' | 'denied' | 'kicked' | 'left';
  requested_at: string;
  updated_at: string;
  decided_by: string | null;
  /** The invite a person in the lobby came with (revoking it turns them away). */
  invite_id: string | null;
  /**
   * A guest's network (platform/client-key.ts), recorded when they take a seat or knock;
   * null for members, who are their account. A kicked guest's row keeps it, so a new guest
   * from that network knocks instead of walking back in (rooms/service.ts, `guestArrival`).
   * Cleared when the room closes.
   */
  client_key: string | null;
}

export interface RoomInvitesTable {
  id: string;
  room_id: string;
  created_by: string;
  created_at: string;
  expires_at: string;
  max_uses: number | null;
  uses: number;
  revoked_at: string | null;
  /** 1: its holder enters an approval room without waiting in the lobby. */
  skip_lobby: number;
}

export type RoomActivityKind =
  | 'created'
  | 'joined'
  | 'requested'
  | 'admitted'
  | 'denied'
  | 'kicked'
  | 'left'
  | 'promoted'
  | 'updated'
  | 'closed';

export interface RoomActivityTable {
  id: string;
  room_id: string;
  kind: RoomActivityKind;
  user_id: string | null;
  actor_id: string | null;
  at: string;
  /** JSON text, small. */
  details: string | null;
}

export interface ChatMessagesTable {
  /** ULID */
  id: string;
  room_id: string;
  user_id: string;
  /** The sender's display name at send time. */
  display_name: string;
  /** Raw text as validated (trimmed, no control characters but newline and tab). */
  text: string;
  sent_at: string;
  /** Per-room order, from 1. */
  seq: number;
}

export interface ContactsTable {
  owner_id: string;
  contact_id: string;
  created_at: string;
}

export interface BlocksTable {
  /** Who blocked. */
  owner_id: string;
  blocked_id: string;
  created_at: string;
}

export type CallStateColumn =
  'ringing' | 'accepted' | 'rejected' | 'cancelled' | 'missed' | 'busy' | 'ended';

export interface CallsTable {
  id: string;
  caller_id: string;
  callee_id: string;
  media: 'audio' | 'video';
  state: CallStateColumn;
  room_id: string | null;
  created_at: string;
  answered_at: string | null;
  connected_at: string | null;
  ended_at: string | null;
  duration_seconds: number | null;
  ended_by: string | null;
  end_reason: 'hangup' | 'abandoned' | null;
  callee_seen_at: string | null;
}

/** One row per user in a ringing or accepted call: the "line is busy" lock. */
export interface CallLinesTable {
  user_id: string;
  call_id: string;
}

export interface CallSignalsTable {
  id: string;
  call_id: string;
  from_user_id: string;
  kind: 'offer' | 'answer' | 'pranswer' | 'rollback' | 'candidate' | 'end-of-candidates';
  at: string;
}

export interface AppointmentsTable {
  id: string;
  provider_id: string;
  client_id: string;
  created_by: string;
  title: string;
  /** The provider's private notes; never shown to the client. */
  notes: string | null;
  starts_at: string;
  ends_at: string;
  duration_minutes: number;
  status: 'scheduled' | 'confirmed' | 'in_progress' | 'completed' | 'cancelled' | 'no_show';
  payment_status: 'pending' | 'paid' | 'refunded' | 'waived';
  room_id: string | null;
  cancelled_at: string | null;
  cancelled_by: string | null;
  cancel_reason: string | null;
  call_started_at: string | null;
  call_ended_at: string | null;
  call_duration_seconds: number | null;
  provider_joined_at: string | null;
  client_joined_at: string | null;
  /** Since when neither party has been in the call (while in progress); null while one is. */
  parties_absent_since: string | null;
  created_at: string;
  updated_at: string;
}

export interface AppointmentEventsTable {
  id: string;
  appointment_id: string;
  at: string;
  /** Null for the server itself and for payment webhooks. */
  actor_id: string | null;
  kind:
    | 'created'
    | 'confirmed'
    | 'rescheduled'
    | 'cancelled'
    | 'payment'
    | 'started'
    | 'completed'
    | 'no_show';
  /** JSON object. */
  details: string;
}

export interface PaymentEventsTable {
  /** The payment provider's event id. */
  id: string;
  appointment_id: string;
  type: string;
  received_at: string;
}

/** Append-only: rows are inserted, and deleted only by the retention purge. */
export interface AuditEventsTable {
  id: string;
  at: string;
  type: string;
  actor_id: string | null;
  target_type: string | null;
  target_id: string | null;
  ip: string | null;
  user_agent: string | null;
  /** JSON object text. */
  details: string;
}

export interface SystemSettingsTable {
  key: string;
  /** JSON text of one section of SystemSettings. */
  value: string;
  updated_at: string;
  updated_by: string | null;
}

export interface MetricSamplesTable {
  at: string;
  participants: number;
  rooms: number;
  sockets: number;
}

export interface Database {
  users: UsersTable;
  refresh_tokens: RefreshTokensTable;
  rooms: RoomsTable;
  room_participants: RoomParticipantsTable;
  room_invites: RoomInvitesTable;
  room_activity: RoomActivityTable;
  chat_messages: ChatMessagesTable;
  contacts: ContactsTable;
  blocks: BlocksTable;
  calls: CallsTable;
  call_lines: CallLinesTable;
  call_signals: CallSignalsTable;
  appointments: AppointmentsTable;
  appointment_events: AppointmentEventsTable;
  payment_events: PaymentEventsTable;
  audit_events: AuditEventsTable;
  system_settings: SystemSettingsTable;
  metric_samples: MetricSamplesTable;
}

export type { Generated };
