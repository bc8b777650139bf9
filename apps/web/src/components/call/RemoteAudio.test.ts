// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mountWithApp } from '../../testing/mount-app';
import RemoteAudio from './RemoteAudio.vue';

afterEach(() => {
  vi.restoreAllMocks();
  document.body.innerHTML = '';
});

describe('RemoteAudio', () => {
  it('plays on the chosen speaker, and goes back to the default one ("")', async () => {
    const sinks: string[] = [];
    let current = '';
    vi.spyOn(HTMLMediaElement.prototype, 'sinkId', 'get').mockImplementation(() => current);
    vi.spyOn(HTMLMediaElement.prototype, 'setSinkId').mockImplementation((id: string) => {
      sinks.push(id);
      current = id;
      return Promise.resolve();
    });
    const { wrapper } = await mountWithApp(RemoteAudio, {
      props: { track: undefined, sinkId: '', unlock: 0 },
    });
    await flushPromises();
    // Already on the default: nothing to switch.
    expect(sinks).toEqual([]);
    await wrapper.setProps({ sinkId: 'hdmi' });
    await wrapper.setProps({ sinkId: '' });
    await flushPromises();
    expect(sinks).toEqual(['hdmi', '']);
  });
});
