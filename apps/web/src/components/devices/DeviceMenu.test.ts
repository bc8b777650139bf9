// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { nextTick } from 'vue';
import type { DeviceList } from '../../calls';
import { mountWithApp } from '../../testing/mount-app';
import DeviceMenu from './DeviceMenu.vue';
import MutedSpeechHint from './MutedSpeechHint.vue';

afterEach(() => {
  document.body.innerHTML = '';
});

const info = (kind: MediaDeviceKind, deviceId: string, label: string) =>
  ({ kind, deviceId, label, groupId: 'g' }) as MediaDeviceInfo;

const devices: DeviceList = {
  audioinput: [info('audioinput', 'default', 'Default - Built-in'), info('audioinput', 'usb', '')],
  videoinput: [info('videoinput', 'cam-1', 'FaceTime HD'), info('videoinput', 'cam-2', 'Desk cam')],
  audiooutput: [info('audiooutput', 'default', 'Default'), info('audiooutput', 'hdmi', 'HDMI')],
};

const options = () => [...document.querySelectorAll<HTMLElement>('[data-testid="device-option"]')];
const checked = (kind: string) =>
  options()
    .filter((o) => o.dataset.kind === kind && o.getAttribute('aria-checked') === 'true')
    .map((o) => o.dataset.deviceId);

async function mountMenu(props: Record<string, unknown>) {
  const mounted = await mountWithApp(DeviceMenu, {
    props: { devices, open: true, canPickSpeaker: true, ...props },
  });
  await nextTick();
  return mounted;
}

describe('DeviceMenu', () => {
  it('lists microphones, speakers and cameras with the device in use checked', async () => {
    await mountMenu({ current: { audioinput: 'usb', videoinput: 'cam-2', audiooutput: 'hdmi' } });
    expect(document.querySelector('[data-testid="device-menu"]')).not.toBeNull();
    expect(
      options().map((o) => [o.dataset.kind, o.dataset.deviceId, o.textContent?.trim()]),
    ).toEqual([
      ['audioinput', 'default', 'Default - Built-in'],
      // A device whose label the browser hides gets a name.
      ['audioinput', 'usb', 'Microphone 2'],
      ['audiooutput', 'default', 'Default'],
      ['audiooutput', 'hdmi', 'HDMI'],
      ['videoinput', 'cam-1', 'FaceTime HD'],
      ['videoinput', 'cam-2', 'Desk cam'],
    ]);
    expect(checked('audioinput')).toEqual(['usb']);
    expect(checked('videoinput')).toEqual(['cam-2']);
    expect(checked('audiooutput')).toEqual(['hdmi']);
  });

  it('with nothing chosen (or a device that is gone) the browser default is checked', async () => {
    await mountMenu({ current: { audioinput: undefined, videoinput: 'gone', audiooutput: '' } });
    expect(checked('audioinput')).toEqual(['default']);
    expect(checked('videoinput')).toEqual(['cam-1']);
    expect(checked('audiooutput')).toEqual(['default']);
  });

  it('picking another device emits select(kind, deviceId); the checked one emits nothing', async () => {
    const { wrapper } = await mountMenu({
      current: { audioinput: 'default', videoinput: 'cam-1', audiooutput: 'default' },
    });
    const option = (kind: string, id: string) =>
      options().find((o) => o.dataset.kind === kind && o.dataset.deviceId === id)!;
    option('videoinput', 'cam-1').click();
    await nextTick();
    expect(wrapper.emitted('select')).toBeUndefined();
    await wrapper.setProps({ open: true });
    option('videoinput', 'cam-2').click();
    await nextTick();
    expect(wrapper.emitted('select')).toEqual([['videoinput', 'cam-2']]);
  });

  it('hides the speaker list where the browser cannot choose the output', async () => {
    await mountMenu({ current: {}, canPickSpeaker: false });
    expect(options().some((o) => o.dataset.kind === 'audiooutput')).toBe(false);
    expect(options()).toHaveLength(4);
  });

  it('shows only the kinds asked for, and says when a kind has no device', async () => {
    await mountMenu({
      current: {},
      kinds: ['videoinput'],
      devices: { ...devices, videoinput: [] },
    });
    expect(options()).toHaveLength(0);
    expect(document.querySelector('[data-testid="device-none"]')?.textContent?.trim()).toBe(
      'None found',
    );
  });

  it('"phone" draws a chevron below sm and the round button from sm up (one trigger)', async () => {
    await mountMenu({ current: {}, open: false, compact: 'phone' });
    const triggers = document.querySelectorAll('[data-testid="device-menu-trigger"]');
    expect(triggers).toHaveLength(1);
    const cls = triggers[0]!.getAttribute('class')!.split(/\s+/);
    expect(cls).toEqual(expect.arrayContaining(['max-sm:size-6', 'sm:size-12']));
    // No unprefixed size: the phone and the wider layouts each get exactly one.
    expect(cls.filter((c) => /^size-/.test(c))).toEqual([]);
    const icons = [...triggers[0]!.querySelectorAll('svg')].map((i) => i.getAttribute('class'));
    expect(icons).toHaveLength(2);
    expect(icons[0]).toContain('sm:hidden');
    expect(icons[1]).toContain('max-sm:hidden');
  });

  it('speaks Russian', async () => {
    await mountWithApp(DeviceMenu, {
      props: { devices, open: true, canPickSpeaker: true, current: {} },
      locale: 'ru',
    });
    await nextTick();
    expect(document.body.textContent).toContain('Динамик');
    expect(options()[1]?.textContent?.trim()).toBe('Микрофон 2');
  });
});

describe('MutedSpeechHint', () => {
  it('tells a muted speaker and offers to unmute', async () => {
    const { wrapper } = await mountWithApp(MutedSpeechHint);
    expect(wrapper.get('[data-testid="muted-speech-hint"]').text()).toContain('You are muted');
    await wrapper.get('[data-testid="muted-speech-unmute"]').trigger('click');
    await wrapper.get('[data-testid="muted-speech-dismiss"]').trigger('click');
    expect(wrapper.emitted('unmute')).toHaveLength(1);
    expect(wrapper.emitted('dismiss')).toHaveLength(1);
  });
});
