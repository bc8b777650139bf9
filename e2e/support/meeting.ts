import path from 'node:path';
import { expect } from '@playwright/test';
import type { BrowserContext, Locator, Page } from '@playwright/test';
import { LAPTOP, PHONE, tileOf } from './call.js';
import { SCREENSHOTS_DIR } from './paths.js';

// Helpers for the meeting tests (meeting.spec.ts): invites in the call's "Add people" dialog,
// the people panel, per-track WebRTC statistics, the pixels of a received video, a second
// fake camera and the meeting clock.

// ---- invites ----

/** An invite link's path: `/i/` and a code of two five-character halves. */
export const INVITE_URL = /\/i\/([A-Za-z2-9]{5}-[A-Za-z2-9]{5})$/;

/** Opens "Add people" (the invite dialog) if it is not open. */
export async function openInviteDialog(page: Page): Promise<Locator> {
  const dialog = page.getByTestId('invite-dialog');
  if ((await dialog.count()) === 0) await page.getByTestId('invite-button').click();
  await expect(dialog).toBeVisible();
  return dialog;
}

/**
 * Makes an invite link in the open dialog (the form as it is, optionally skipping the
 * lobby) and returns its address as the dialog shows it; the new invite heads the list.
 */
export async function createInviteInDialog(
  page: Page,
  opts: { skipLobby?: boolean } = {},
): Promise<{ url: string; code: string }> {
  const dialog = await openInviteDialog(page);
  if (opts.skipLobby !== undefined) {
    await dialog.getByTestId('invite-skip-lobby').setChecked(opts.skipLobby);
  }
  const shown = dialog.getByTestId('invite-link');
  const before = (await shown.count()) > 0 ? await shown.textContent() : null;
  await dialog.getByTestId('invite-create').click();
  await expect(shown).toHaveText(INVITE_URL);
  if (before) await expect(shown).not.toHaveText(before);
  const url = ((await shown.textContent()) ?? '').trim();
  const code = INVITE_URL.exec(url)?.[1] ?? '';
  await expect(inviteRow(page, code)).toHaveAttribute('data-status', 'active');
  return { url, code };
}

/** The row of one invite in the dialog's list of the room's invites. */
export const inviteRow = (page: Page, code: string) =>
  page.locator(`[data-testid="invite-row"][data-code="${code}"]`);

/** Closes whatever dialog has the focus (Escape), and waits until it is gone. */
export async function closeDialog(page: Page, testid: string): Promise<void> {
  await page.keyboard.press('Escape');
  await expect(page.getByTestId(testid)).toHaveCount(0);
}

/**
 * Opens an invite link in this page, gives a guest name and accepts it. Where that leads
 * (the lobby, the pre-join page, a refusal) is for the caller to check.
 */
export async function acceptInvite(page: Page, url: string, guestName?: string): Promise<void> {
  await page.goto(url);
  if (guestName) await page.getByTestId('guest-name').fill(guestName);
  await page.getByTestId('invite-join').click();
}

// ---- the people panel ----

/** Opens the people panel if it is closed. */
export async function openPeople(page: Page): Promise<Locator> {
  const panel = page.getByTestId('participants-panel');
  if ((await panel.count()) === 0) await page.getByTestId('toggle-participants').click();
  await expect(panel).toBeVisible();
  return panel;
}

/** The row of the person called `name` in the people panel (`(you)` rows included). */
export const personRow = (page: Page, name: string) =>
  page
    .getByTestId('participant')
    .filter({ has: page.getByTestId('participant-name').getByText(name, { exact: false }) });

/**
 * Resolves once the call page shows a notice containing `text`. Notices go away by
 * themselves after a few seconds, so start watching before the action that causes one and
 * await the promise after it: a busy machine may not look again until the notice is gone.
 */
export function noticeShown(page: Page, text: string): Promise<void> {
  return page
    .getByTestId('notice')
    .filter({ hasText: text })
    .first()
    .waitFor({ state: 'visible', timeout: 20_000 });
}

/** The signaling connection id of the other person `name`, as this page knows it. */
export async function connectionIdOf(page: Page, name: string): Promise<string> {
  const id = await tileOf(page, name).getAttribute('data-connection-id');
  if (!id) throw new Error(`no connection id on ${name}'s tile`);
  return id;
}

/** This page's own signaling connection id (the debug handle). */
export async function ownConnectionId(page: Page): Promise<string> {
  const id = await page.evaluate(() => window.__parleyCall?.connectionId());
  if (!id) throw new Error('no own connection id (is the page in a call, with ?debug?)');
  return id;
}

// ---- WebRTC statistics per track ----

/**
 * Keeps every RTCPeerConnection a page makes in `window.__e2ePeerConnections`, so the tests
 * can read per-track statistics (the app's debug handle only sums bytes). Call before the
 * page loads the app: the app's own debug wrapper then extends this one.
 */
export async function recordPeerConnections(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const Native = window.RTCPeerConnection;
    if (!Native) return;
    const made: RTCPeerConnection[] = [];
    (window as unknown as { __e2ePeerConnections: RTCPeerConnection[] }).__e2ePeerConnections =
      made;
    class Recorded extends Native {
      constructor(config?: RTCConfiguration) {
        super(config);
        made.push(this);
      }
    }
    window.RTCPeerConnection = Recorded;
  });
}

export interface InboundRtp {
  kind: 'audio' | 'video';
  /** Which peer connection (index in creation order) and which receiver (mid). */
  pc: number;
  mid: string;
  trackIdentifier: string;
  packetsReceived: number;
  bytesReceived: number;
  framesDecoded: number;
  totalAudioEnergy: number;
  audioLevel: number;
}

/** Every inbound-rtp entry of the page's live peer connections. */
export function inboundRtp(page: Page): Promise<InboundRtp[]> {
  return page.evaluate(async () => {
    const pcs =
      (window as unknown as { __e2ePeerConnections?: RTCPeerConnection[] }).__e2ePeerConnections ??
      [];
    const out: InboundRtp[] = [];
    for (const [i, pc] of pcs.entries()) {
      if (pc.connectionState === 'closed') continue;
      const report = await pc.getStats();
      report.forEach((s: Record<string, unknown>) => {
        if (s.type !== 'inbound-rtp') return;
        const num = (k: string) => (typeof s[k] === 'number' ? s[k] : 0);
        const str = (k: string) => (typeof s[k] === 'string' ? s[k] : '');
        out.push({
          kind: s.kind as 'audio' | 'video',
          pc: i,
          mid: str('mid'),
          trackIdentifier: str('trackIdentifier'),
          packetsReceived: num('packetsReceived'),
          bytesReceived: num('bytesReceived'),
          framesDecoded: num('framesDecoded'),
          totalAudioEnergy: num('totalAudioEnergy'),
          audioLevel: num('audioLevel'),
        });
      });
    }
    return out;
  });
}

/** The audio this page receives, summed over its peers: energy so far and packets so far. */
export async function receivedAudio(page: Page): Promise<{ energy: number; packets: number }> {
  const audio = (await inboundRtp(page)).filter((s) => s.kind === 'audio');
  return {
    energy: audio.reduce((n, s) => n + s.totalAudioEnergy, 0),
    packets: audio.reduce((n, s) => n + s.packetsReceived, 0),
  };
}

/**
 * How much audio energy arrives while the next `packets` audio packets do: the receiver's
 * own packet count is the clock, so the window is the same length however busy the machine
 * is (Opus sends a packet every 20 ms, silence included).
 */
export async function audioEnergyOver(page: Page, packets: number): Promise<number> {
  const start = await receivedAudio(page);
  let end = start;
  await expect
    .poll(
      async () => {
        end = await receivedAudio(page);
        return end.packets - start.packets;
      },
      { timeout: 20_000, message: `${packets} more audio packets should arrive` },
    )
    .toBeGreaterThanOrEqual(packets);
  return end.energy - start.energy;
}

// ---- pixels ----

/** The average colour of what a <video> shows now, drawn to a small canvas. */
export function averageColour(video: Locator): Promise<{ r: number; g: number; b: number }> {
  return video.evaluate((v: HTMLVideoElement) => {
    const canvas = document.createElement('canvas');
    canvas.width = 32;
    canvas.height = 18;
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx || v.videoWidth === 0) return { r: -1, g: -1, b: -1 };
    ctx.drawImage(v, 0, 0, canvas.width, canvas.height);
    const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    let r = 0;
    let g = 0;
    let b = 0;
    for (let i = 0; i < data.length; i += 4) {
      r += data[i]!;
      g += data[i + 1]!;
      b += data[i + 2]!;
    }
    const n = data.length / 4;
    return { r: Math.round(r / n), g: Math.round(g / n), b: Math.round(b / n) };
  });
}

/** The second camera's colour: magenta, which Chromium's green fake camera never shows. */
export const SECOND_CAMERA = {
  deviceId: 'e2e-test-camera-2',
  label: 'Test camera 2',
  rgb: [230, 20, 200] as const,
};

/**
 * Gives a page a second camera, "Test camera 2": enumerateDevices lists it after the real
 * (fake) devices, and getUserMedia for its deviceId returns a canvas painted one solid
 * colour (SECOND_CAMERA.rgb), repainted so frames keep coming, whose settings name that
 * deviceId. Everything else goes to the browser's fake devices.
 */
export async function addSecondCamera(page: Page): Promise<void> {
  await page.addInitScript((cam) => {
    const devices = navigator.mediaDevices;
    if (!devices) return;
    const enumerate = devices.enumerateDevices.bind(devices);
    const getUserMedia = devices.getUserMedia.bind(devices);
    devices.enumerateDevices = async () => {
      const real = await enumerate();
      // Only once the browser names devices (after permission), as a real camera would.
      if (!real.some((d) => d.kind === 'videoinput' && d.deviceId !== '')) return real;
      const extra = {
        deviceId: cam.deviceId,
        groupId: 'e2e-test-group',
        kind: 'videoinput' as MediaDeviceKind,
        label: cam.label,
        toJSON() {
          return {
            deviceId: this.deviceId,
            groupId: this.groupId,
            kind: this.kind,
            label: this.label,
          };
        },
      };
      return [...real, extra];
    };
    const wantsSecond = (video: MediaTrackConstraints | boolean | undefined) => {
      if (!video || typeof video === 'boolean') return false;
      const id = video.deviceId;
      if (typeof id === 'string') return id === cam.deviceId;
      if (Array.isArray(id)) return id.includes(cam.deviceId);
      if (id && typeof id === 'object') {
        const { exact, ideal } = id as { exact?: unknown; ideal?: unknown };
        return exact === cam.deviceId || ideal === cam.deviceId;
      }
      return false;
    };
    devices.getUserMedia = async (constraints) => {
      if (!wantsSecond(constraints?.video)) return getUserMedia(constraints);
      const canvas = document.createElement('canvas');
      canvas.width = 640;
      canvas.height = 360;
      const ctx = canvas.getContext('2d');
      let frame = 0;
      const paint = () => {
        if (!ctx) return;
        ctx.fillStyle = `rgb(${cam.rgb.join(',')})`;
        ctx.fillRect(0, 0, canvas.width, canvas.height);
        // A one-pixel tick that changes every frame: a canvas that never changes sends
        // no frames.
        ctx.fillStyle = frame++ % 2 ? 'rgb(231,20,200)' : 'rgb(229,20,200)';
        ctx.fillRect(0, 0, 1, 1);
      };
      paint();
      const timer = setInterval(paint, 1000 / 30);
      const stream = canvas.captureStream(30);
      const [track] = stream.getVideoTracks();
      track?.addEventListener('ended', () => clearInterval(timer));
      // A canvas track names a random device; a camera names its own.
      const settings = track?.getSettings.bind(track);
      if (track && settings) {
        track.getSettings = () => ({
          ...settings(),
          deviceId: cam.deviceId,
          groupId: 'e2e-test-group',
        });
      }
      const stop = track?.stop.bind(track);
      if (track && stop) {
        track.stop = () => {
          clearInterval(timer);
          stop();
        };
      }
      if (constraints?.audio) {
        const mic = await getUserMedia({ audio: constraints.audio });
        for (const t of mic.getAudioTracks()) stream.addTrack(t);
      }
      return stream;
    };
  }, SECOND_CAMERA);
}

// ---- the meeting clock ----

/** The call timer as seconds (`mm:ss` or `h:mm:ss`). */
export async function timerSeconds(page: Page): Promise<number> {
  const text = ((await page.getByTestId('call-timer').textContent()) ?? '').trim();
  if (!/^\d+(:\d\d){1,2}$/.test(text)) throw new Error(`not a timer: "${text}"`);
  return text.split(':').reduce((n, part) => n * 60 + Number(part), 0);
}

// ---- screenshots ----

/**
 * The same screen for the gallery at a laptop's 1280x720 and a phone's 390x844
 * (`<name>-desktop.png`, `<name>-phone.png`). `ready` waits for what the shot is about
 * to be drawn at each size (the stage re-lays itself out after a resize).
 */
export async function shotBoth(
  page: Page,
  name: string,
  ready: (size: 'desktop' | 'phone') => Promise<void> = () => Promise.resolve(),
): Promise<void> {
  const before = page.viewportSize() ?? LAPTOP;
  for (const [size, viewport] of [
    ['desktop', LAPTOP],
    ['phone', PHONE],
  ] as const) {
    await page.setViewportSize(viewport);
    await ready(size);
    await page.screenshot({ path: path.join(SCREENSHOTS_DIR, `${name}-${size}.png`) });
  }
  await page.setViewportSize(before);
}
