import type {
  AdminCreateUserBody,
  AdminGuestFilter,
  AdminUpdateUserBody,
  AdminUser,
  AdminUserListItem,
  AdminUsersPage,
  AdminUserStatus,
  Role,
} from '@parley/protocol';
import { Confirmation } from './confirm';
import { NewAccount } from './new-account';
import { PagedList } from '../lib/paged-list';

export interface UsersFilter {
  /** Start of a name or an email; empty: everyone. */
  q: string;
  role: Role | '';
  status: AdminUserStatus;
  guests: AdminGuestFilter;
}

export const DEFAULT_USERS_FILTER: UsersFilter = {
  q: '',
  role: '',
  status: 'all',
  guests: 'exclude',
};

export interface UsersApi {
  list(filter: UsersFilter, cursor: string | null): Promise<AdminUsersPage>;
  update(id: string, body: AdminUpdateUserBody): Promise<AdminUser>;
  create(body: AdminCreateUserBody): Promise<AdminUser>;
}

/** What an admin is about to do to an account, waiting for "yes". */
export type UserChange =
  | { kind: 'disable' | 'enable'; user: AdminUserListItem }
  | { kind: 'role'; user: AdminUserListItem; role: Role };

/** The request body a change sends. */
export function changeBody(change: UserChange): AdminUpdateUserBody {
  return change.kind === 'role' ? { role: change.role } : { disabled: change.kind === 'disable' };
}

/**
 * The users page: the list (search, role, status, guests) and the changes an admin makes
 * to an account, each confirmed first. An admin's own row cannot be disabled or demoted
 * (the server refuses it too: someone must stay admin).
 */
export class AdminUsers {
  readonly list: PagedList<AdminUserListItem, UsersFilter>;
  readonly confirmation: Confirmation<UserChange>;
  /** "New account": the way in while registration is closed. */
  readonly newAccount: NewAccount;

  constructor(
    private readonly opts: {
      api: UsersApi;
      /** The signed-in admin. */
      selfId: string;
      now?: () => Date;
    },
  ) {
    this.list = new PagedList<AdminUserListItem, UsersFilter>(async (f, cursor) => {
      const page = await opts.api.list(f, cursor);
      return { items: page.users, nextCursor: page.nextCursor };
    }, DEFAULT_USERS_FILTER);
    this.confirmation = new Confirmation((change) => this.apply(change));
    // Newest first: the list, reloaded under its filter, shows the account where it belongs.
    this.newAccount = new NewAccount({
      create: (body) => opts.api.create(body),
      onCreated: () => void this.list.load(),
    });
  }

  /** Shows the first page under the filter changed by `patch`. */
  search(patch: Partial<UsersFilter>): Promise<void> {
    return this.list.load({ ...this.list.state.filter, ...patch });
  }

  /** Whether this account is the admin's own (no disabling or demoting oneself). */
  isSelf(user: Pick<AdminUser, 'id'>): boolean {
    return user.id === this.opts.selfId;
  }

  /** Asks for a change; nothing to ask when it would change nothing or touch oneself. */
  ask(change: UserChange): void {
    if (this.isSelf(change.user)) return;
    if (change.kind === 'role' && (change.role === change.user.role || change.user.isGuest)) return;
    if (change.kind === 'disable' && change.user.disabled) return;
    if (change.kind === 'enable' && !change.user.disabled) return;
    this.confirmation.ask(change);
  }

  dispose(): void {
    this.list.dispose();
    this.confirmation.dispose();
    this.newAccount.dispose();
  }

  private async apply(change: UserChange): Promise<void> {
    const answer = await this.opts.api.update(change.user.id, changeBody(change));
    const now = (this.opts.now ?? (() => new Date()))().toISOString();
    this.list.replace({
      ...change.user,
      ...answer,
      disabledAt: answer.disabled ? (change.user.disabledAt ?? now) : null,
      // A disabled account's sockets are closed at once.
      online: answer.disabled ? false : change.user.online,
    });
  }
}
