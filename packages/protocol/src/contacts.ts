import { z } from 'zod';
import { Role } from './auth.js';

// Contacts, blocks, presence and user search (issue 11).

export const CONTACT_LIMITS = {
  searchMinLength: 2,
  searchMaxLength: 100,
  searchResults: 20,
  maxContacts: 1000,
} as const;

/** Another registered user, as anyone may see them: never their email. */
export const PersonRef = z
  .object({ id: z.uuid(), displayName: z.string() })
  .meta({ id: 'PersonRef' });
export type PersonRef = z.infer<typeof PersonRef>;

/** What a contact's owner may know about that person's presence. */
export const Presence = z
  .object({
    /** At least one socket connected (any device, any tab). */
    online: z.boolean(),
    lastSeenAt: z.iso.datetime().nullable(),
    /** Calls to this person are answered `busy` at once. */
    doNotDisturb: z.boolean(),
  })
  .meta({ id: 'Presence' });
export type Presence = z.infer<typeof Presence>;

export const Contact = z
  .object({ user: PersonRef, presence: Presence, addedAt: z.iso.datetime() })
  .meta({ id: 'Contact' });
export type Contact = z.infer<typeof Contact>;

export const ContactsResponse = z
  .object({ contacts: z.array(Contact) })
  .meta({ id: 'ContactsResponse' });
export type ContactsResponse = z.infer<typeof ContactsResponse>;

export const ContactResponse = z.object({ contact: Contact }).meta({ id: 'ContactResponse' });
export type ContactResponse = z.infer<typeof ContactResponse>;

/** `POST /api/contacts` and `POST /api/blocks`. */
export const UserRefBody = z.strictObject({ userId: z.uuid() }).meta({ id: 'UserRefBody' });
export type UserRefBody = z.infer<typeof UserRefBody>;

export const UserIdParam = z.object({ userId: z.uuid() });
export type UserIdParam = z.infer<typeof UserIdParam>;

/** Someone the caller blocked: they see the caller offline and cannot call them. */
export const BlockedUser = z
  .object({ user: PersonRef, blockedAt: z.iso.datetime() })
  .meta({ id: 'BlockedUser' });
export type BlockedUser = z.infer<typeof BlockedUser>;

export const BlocksResponse = z
  .object({ blocked: z.array(BlockedUser) })
  .meta({ id: 'BlocksResponse' });
export type BlocksResponse = z.infer<typeof BlocksResponse>;

/** `POST /api/blocks`. */
export const BlockResponse = z.object({ block: BlockedUser }).meta({ id: 'BlockResponse' });
export type BlockResponse = z.infer<typeof BlockResponse>;

// No component id: a query string schema must stay inline in the OpenAPI document
// (@fastify/swagger cannot expand a $ref into query parameters).
export const UserSearchQuery = z.object({
  q: z
    .string()
    .trim()
    .min(CONTACT_LIMITS.searchMinLength, {
      message: `Type at least ${CONTACT_LIMITS.searchMinLength} characters`,
    })
    .max(CONTACT_LIMITS.searchMaxLength),
});
export type UserSearchQuery = z.infer<typeof UserSearchQuery>;

export const UserSearchResult = PersonRef.extend({
  /** Only when the query was exactly this person's email: nothing the caller did not type. */
  email: z.string().optional(),
  isContact: z.boolean(),
}).meta({ id: 'UserSearchResult' });
export type UserSearchResult = z.infer<typeof UserSearchResult>;

export const UserSearchResponse = z
  .object({ users: z.array(UserSearchResult) })
  .meta({ id: 'UserSearchResponse' });
export type UserSearchResponse = z.infer<typeof UserSearchResponse>;

/** `GET /api/presence` / `PUT /api/presence`: the caller's own setting. */
export const PresenceSettings = z
  .strictObject({ doNotDisturb: z.boolean() })
  .meta({ id: 'PresenceSettings' });
export type PresenceSettings = z.infer<typeof PresenceSettings>;

/** `GET /api/users/online` (admins). */
export const OnlineUsersResponse = z
  .object({
    users: z.array(
      PersonRef.extend({ role: Role, connections: z.int().min(1), doNotDisturb: z.boolean() }),
    ),
  })
  .meta({ id: 'OnlineUsersResponse' });
export type OnlineUsersResponse = z.infer<typeof OnlineUsersResponse>;
