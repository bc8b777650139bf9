import type { DeviceFallback } from '../calls';

/** Whether this browser lets a page choose the speaker (`HTMLMediaElement.setSinkId`). */
export const canPickSpeaker =
  typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;

/**
 * The notice for a device that went away mid-call, as an i18n key and its parameters:
 * "Your camera was disconnected; switched to FaceTime HD Camera."
 */
export function deviceFallbackNotice(e: DeviceFallback): {
  key: string;
  params: Record<string, string>;
} {
  const base = `devices.fallback.${e.kind}`;
  if (!e.now) return { key: `${base}.none`, params: {} };
  // A browser that hides labels still switched: to "the default" one, then.
  if (!e.now.label) return { key: `${base}.default`, params: {} };
  return { key: `${base}.switched`, params: { device: e.now.label } };
}
