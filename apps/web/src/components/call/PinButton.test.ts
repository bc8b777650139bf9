// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { mountWithApp } from '../../testing/mount-app';
import CallTile from './CallTile.vue';
import ScreenTile from './ScreenTile.vue';

// The pin button as the two tiles use it: a camera tile names the person (and shows the name
// as a tooltip), a screen tile names the screen.

afterEach(() => {
  document.body.innerHTML = '';
});

const cameraTile = (props: Record<string, unknown>) =>
  mountWithApp(CallTile, {
    props: { name: 'Ann', audio: true, video: false, videoTrack: null, ...props },
  });
const screenTile = (props: Record<string, unknown>) =>
  mountWithApp(ScreenTile, { props: { name: 'Ann', track: null, ...props } });

describe('PinButton in the tiles', () => {
  it('is offered only where pinning is', async () => {
    const { wrapper: camera } = await cameraTile({});
    const { wrapper: screen } = await screenTile({});
    expect(camera.find('[data-testid="tile-pin"]').exists()).toBe(false);
    expect(screen.find('[data-testid="tile-pin"]').exists()).toBe(false);
  });

  it('on a camera tile: pins the person, with the label as its tooltip', async () => {
    const { wrapper } = await cameraTile({ pinnable: true });
    const pin = wrapper.get('[data-testid="tile-pin"]');
    expect(pin.attributes('aria-pressed')).toBe('false');
    expect(pin.attributes('aria-label')).toBe('Pin Ann');
    expect(pin.attributes('title')).toBe('Pin Ann');
    await pin.trigger('click');
    expect(wrapper.emitted('pin')).toEqual([[]]);

    await wrapper.setProps({ pinned: true });
    expect(pin.attributes('aria-pressed')).toBe('true');
    expect(pin.attributes('aria-label')).toBe('Unpin Ann');
    expect(pin.attributes('title')).toBe('Unpin Ann');
  });

  it('on a screen tile: pins the screen, named as such', async () => {
    const { wrapper } = await screenTile({ pinnable: true, pinned: true });
    const pin = wrapper.get('[data-testid="tile-pin"]');
    expect(pin.attributes('aria-pressed')).toBe('true');
    expect(pin.attributes('aria-label')).toBe('Unpin Screen of Ann');
    expect(pin.attributes('title')).toBeUndefined();
    await pin.trigger('click');
    expect(wrapper.emitted('pin')).toEqual([[]]);
  });
});
