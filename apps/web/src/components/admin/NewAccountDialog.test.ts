// @vitest-environment happy-dom
import type { AdminCreateUserBody, AdminUser } from '@parley/protocol';
import { flushPromises } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { NewAccount } from '../../admin/new-account';
import { ApiError } from '../../api/errors';
import { mountWithApp } from '../../testing/mount-app';
import NewAccountDialog from './NewAccountDialog.vue';

afterEach(() => {
  document.body.innerHTML = '';
});

const field = (testid: string) =>
  document.querySelector<HTMLInputElement | HTMLSelectElement>(`[data-testid="${testid}"]`);

async function fill(values: Record<string, string>) {
  for (const [testid, value] of Object.entries(values)) {
    const el = field(testid)!;
    el.value = value;
    el.dispatchEvent(new Event(el instanceof HTMLSelectElement ? 'change' : 'input'));
  }
  await flushPromises();
}

async function setup(answer: (body: AdminCreateUserBody) => Promise<AdminUser>) {
  const sent: AdminCreateUserBody[] = [];
  const model = new NewAccount({
    create: (body) => {
      sent.push(body);
      return answer(body);
    },
  });
  await mountWithApp(NewAccountDialog, { props: { model } });
  model.open();
  await flushPromises();
  return { model, sent };
}

describe('NewAccountDialog', () => {
  it('sends the four fields it shows, the role included', async () => {
    const { sent } = await setup((b) =>
      Promise.resolve({
        ...b,
        id: '00000000-0000-4000-8000-000000000009',
        isGuest: false,
        createdAt: '2026-02-02T12:00:00.000Z',
        lastSeenAt: null,
        disabled: false,
      }),
    );
    await fill({
      'new-account-email': 'zoe@example.org',
      'new-account-name': 'Zoe',
      'new-account-role': 'provider',
      'new-account-password': 'a-long-passphrase-1',
    });
    field('new-account-submit')!.click();
    await flushPromises();
    expect(sent).toEqual([
      {
        email: 'zoe@example.org',
        displayName: 'Zoe',
        role: 'provider',
        password: 'a-long-passphrase-1',
      },
    ]);
    expect(field('new-account-dialog')).toBeNull();
  });

  it('shows "email taken" under the email field, in the reader\'s language', async () => {
    await setup(() => Promise.reject(new ApiError(409, 'EMAIL_TAKEN', 'taken')));
    await fill({
      'new-account-email': 'ann@example.org',
      'new-account-name': 'Ann',
      'new-account-password': 'a-long-passphrase-1',
    });
    field('new-account-submit')!.click();
    await flushPromises();
    expect(field('new-account-email-error')?.textContent).toContain(
      'An account with this email already exists.',
    );
    expect(field('new-account-email')?.getAttribute('aria-invalid')).toBe('true');
  });
});
