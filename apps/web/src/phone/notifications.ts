import type { Call } from '@parley/protocol';
import type { CallAlerts } from './ports';

export type NotificationPermissionState = NotificationPermission | 'unsupported';

/** The parts of the browser the system notifications use (replaced in tests). */
export interface NotificationEnv {
  Notification: typeof Notification | undefined;
  isHidden: () => boolean;
  focus: () => void;
}

export function browserNotificationEnv(): NotificationEnv {
  return {
    Notification: typeof Notification === 'undefined' ? undefined : Notification,
    isHidden: () => typeof document !== 'undefined' && document.visibilityState === 'hidden',
    focus: () => window.focus(),
  };
}

export function notificationPermission(
  env: NotificationEnv = browserNotificationEnv(),
): NotificationPermissionState {
  return env.Notification ? env.Notification.permission : 'unsupported';
}

/** Asks the browser's permission; only ever from a button the person pressed. */
export async function requestNotificationPermission(
  env: NotificationEnv = browserNotificationEnv(),
): Promise<NotificationPermissionState> {
  if (!env.Notification) return 'unsupported';
  try {
    return await env.Notification.requestPermission();
  } catch {
    return env.Notification.permission;
  }
}

/**
 * Shows a system notification for a ringing call while the tab is hidden and the person allowed
 * notifications; clicking it brings the tab forward, where the card has the buttons.
 */
export function createCallAlerts(
  text: (call: Call) => { title: string; body: string },
  env: NotificationEnv = browserNotificationEnv(),
): CallAlerts {
  return {
    show(call) {
      const N = env.Notification;
      if (!N || N.permission !== 'granted' || !env.isHidden()) return undefined;
      try {
        const { title, body } = text(call);
        const n = new N(title, { body, tag: `parley-call-${call.id}`, requireInteraction: true });
        n.onclick = () => {
          env.focus();
          n.close();
        };
        return { close: () => n.close() };
      } catch {
        // Some browsers only allow notifications from a service worker: the card still rings.
        return undefined;
      }
    },
  };
}
