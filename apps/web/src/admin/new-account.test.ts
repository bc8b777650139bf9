import type { AdminCreateUserBody, AdminUser } from '@parley/protocol';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/errors';
import { NewAccount } from './new-account';
import type { NewAccountInput } from './new-account';
import { deferred } from './testing/fixtures';

const GOOD: NewAccountInput = {
  email: 'zoe@example.org',
  displayName: 'Zoe',
  role: 'provider',
  password: 'a-long-passphrase-1',
};
const made = (body: AdminCreateUserBody): AdminUser => ({
  id: '00000000-0000-4000-8000-000000000009',
  email: body.email,
  displayName: body.displayName,
  role: body.role,
  isGuest: false,
  createdAt: '2026-02-02T12:00:00.000Z',
  lastSeenAt: null,
  disabled: false,
});

function setup(answer: (body: AdminCreateUserBody) => Promise<AdminUser>) {
  const sent: AdminCreateUserBody[] = [];
  const listed: AdminUser[] = [];
  const form = new NewAccount({
    create: (body) => {
      sent.push(body);
      return answer(body);
    },
    onCreated: (u) => listed.push(u),
  });
  form.open();
  return { form, sent, listed };
}

describe('the new-account dialog', () => {
  it('sends the four fields and closes on success, telling the page what was made', async () => {
    const { form, sent, listed } = setup((b) => Promise.resolve(made(b)));
    expect(await form.submit(GOOD)).toBe(true);
    expect(sent).toEqual([GOOD]);
    expect(listed.map((u) => u.displayName)).toEqual(['Zoe']);
    expect(form.state).toMatchObject({ open: false, saving: false, errors: {}, failure: null });
    expect(form.state.created?.role).toBe('provider');
  });

  it("checks with the server's own rules first and sends nothing when a field is wrong", async () => {
    const { form, sent } = setup((b) => Promise.resolve(made(b)));
    expect(await form.submit({ ...GOOD, email: 'zoe', displayName: '  ', password: 'short' })).toBe(
      false,
    );
    expect(sent).toEqual([]);
    expect(form.state.errors).toEqual({
      email: 'validation.email',
      displayName: 'validation.displayName',
      password: 'validation.password',
    });
    expect(form.state.open).toBe(true);
  });

  it('puts EMAIL_TAKEN under the email field and keeps the dialog open', async () => {
    const taken = new ApiError(409, 'EMAIL_TAKEN', 'An account with this email already exists.');
    const { form, listed } = setup(() => Promise.reject(taken));
    expect(await form.submit(GOOD)).toBe(false);
    expect(form.state).toMatchObject({
      open: true,
      saving: false,
      errors: { email: 'errors.EMAIL_TAKEN' },
      failure: null,
    });
    expect(listed).toEqual([]);
  });

  it("shows the server's field errors under their fields, anything else above the form", async () => {
    const invalid = new ApiError(400, 'VALIDATION_FAILED', 'Some fields are invalid.', {
      password: ['Mix letters with digits or symbols'],
      role: ['Invalid option'],
    });
    const { form } = setup(() => Promise.reject(invalid));
    await form.submit(GOOD);
    expect(form.state.errors).toEqual({
      password: 'validation.password',
      role: 'validation.role',
    });
    expect(form.state.failure).toBeNull();

    const down = new ApiError(503, 'UNAVAILABLE', 'Try again.');
    const other = setup(() => Promise.reject(down)).form;
    await other.submit(GOOD);
    expect(other.state.failure).toBe(down);
    expect(other.state.errors).toEqual({});
  });

  it('sends once while saving, and cannot be closed mid-way', async () => {
    const answer = deferred<AdminUser>();
    const { form, sent } = setup(() => answer.promise);
    const first = form.submit(GOOD);
    expect(await form.submit(GOOD)).toBe(false);
    form.close();
    expect(form.state).toMatchObject({ open: true, saving: true });
    answer.resolve(made(GOOD));
    expect(await first).toBe(true);
    expect(sent).toHaveLength(1);
  });
});
