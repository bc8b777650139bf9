import { describe, expect, it } from 'vitest';
import { createCallAlerts, notificationPermission } from './notifications';
import type { NotificationEnv } from './notifications';
import { makeCall } from './testing/fakes';

function env(permission: NotificationPermission, hidden: boolean) {
  const made: { title: string; closed: boolean }[] = [];
  class FakeNotification {
    static permission = permission;
    static requestPermission = () => Promise.resolve(permission);
    onclick: (() => void) | null = null;
    private readonly entry: { title: string; closed: boolean };
    constructor(title: string) {
      this.entry = { title, closed: false };
      made.push(this.entry);
    }
    close() {
      this.entry.closed = true;
    }
  }
  const e: NotificationEnv = {
    Notification: FakeNotification as unknown as typeof Notification,
    isHidden: () => hidden,
    focus: () => undefined,
  };
  return { e, made };
}

const text = () => ({ title: 'Bob is calling', body: 'Video call' });

describe('call notifications', () => {
  it('appear only while the tab is hidden and notifications are allowed', () => {
    for (const [permission, hidden, expected] of [
      ['granted', true, 1],
      ['granted', false, 0],
      ['default', true, 0],
      ['denied', true, 0],
    ] as const) {
      const { e, made } = env(permission, hidden);
      createCallAlerts(text, e).show(makeCall());
      expect(made, `${permission} hidden=${hidden}`).toHaveLength(expected);
    }
  });

  it('are closed with the ringing', () => {
    const { e, made } = env('granted', true);
    createCallAlerts(text, e).show(makeCall())?.close();
    expect(made[0]).toEqual({ title: 'Bob is calling', closed: true });
  });

  it('report a browser without them as unsupported', () => {
    expect(
      notificationPermission({
        Notification: undefined,
        isHidden: () => false,
        focus: () => undefined,
      }),
    ).toBe('unsupported');
  });
});
