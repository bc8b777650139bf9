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

export interface Database {
  users: UsersTable;
  refresh_tokens: RefreshTokensTable;
}

export type { Generated };
