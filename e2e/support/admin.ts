import { expect } from '@playwright/test';
import type { APIRequestContext, Page } from '@playwright/test';
import type { Session } from './call.js';

// Helpers for the admin tests: settings changed over the API (so a test leaves the server as
// it found it) and a watch on every camera and microphone track a page opens.

const auth = (s: Session) => ({ authorization: `Bearer ${s.tokens.accessToken}` });

/** PATCH /api/admin/settings as the admin, expecting 200. */
export async function patchSettings(
  request: APIRequestContext,
  admin: Session,
  patch: Record<string, unknown>,
): Promise<void> {
  const res = await request.patch('/api/admin/settings', { headers: auth(admin), data: patch });
  expect(res.status(), await res.text()).toBe(200);
}

/**
 * Keeps every track getUserMedia hands this page in `window.__parleyTracks`, so a test can
 * see that the camera and microphone were really released (every track `ended`).
 */
export async function watchMediaTracks(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { __parleyTracks: MediaStreamTrack[] };
    w.__parleyTracks = [];
    const devices = navigator.mediaDevices;
    const original = devices.getUserMedia.bind(devices);
    devices.getUserMedia = async (constraints) => {
      const stream = await original(constraints);
      w.__parleyTracks.push(...stream.getTracks());
      return stream;
    };
    // The call page may take the pre-join preview's tracks as clones (media/handoff.ts)
    // rather than call getUserMedia again: a clone of a watched track is watched too.
    const proto = MediaStreamTrack.prototype;
    const clone = Object.getOwnPropertyDescriptor(proto, 'clone')?.value as (
      this: MediaStreamTrack,
    ) => MediaStreamTrack;
    proto.clone = function (this: MediaStreamTrack) {
      const copy = clone.call(this);
      if (w.__parleyTracks.includes(this)) w.__parleyTracks.push(copy);
      return copy;
    };
  });
}

/** The states of the tracks this page opened (and their clones): `live` or `ended`. */
export function trackStates(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    (window as unknown as { __parleyTracks: MediaStreamTrack[] }).__parleyTracks.map(
      (t) => t.readyState,
    ),
  );
}
