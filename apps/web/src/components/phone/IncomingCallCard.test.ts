// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { makeCall } from '../../phone/testing/fakes';
import { mountWithApp } from '../../testing/mount-app';
import IncomingCallCard from './IncomingCallCard.vue';

afterEach(() => {
  document.body.innerHTML = '';
});

describe('IncomingCallCard', () => {
  it('is an alert dialog naming the caller, with the focus on Accept', async () => {
    const { wrapper } = await mountWithApp(IncomingCallCard, {
      props: { state: { kind: 'ringing', call: makeCall() } },
    });
    await flushPromises();
    const card = wrapper.get('[data-testid="incoming-call"]');
    expect(card.attributes('role')).toBe('alertdialog');
    expect(card.text()).toContain('Bob Caller');
    expect(card.text()).toContain('Incoming video call');
    expect(document.activeElement?.getAttribute('data-testid')).toBe('incoming-accept');
  });

  it('a video call can be accepted with video or audio only, or declined', async () => {
    const { wrapper } = await mountWithApp(IncomingCallCard, {
      props: { state: { kind: 'ringing', call: makeCall() } },
    });
    await wrapper.get('[data-testid="incoming-accept"]').trigger('click');
    await wrapper.get('[data-testid="incoming-accept-audio"]').trigger('click');
    await wrapper.get('[data-testid="incoming-decline"]').trigger('click');
    expect(wrapper.emitted('accept')).toEqual([['video'], ['audio']]);
    expect(wrapper.emitted('decline')).toHaveLength(1);
  });

  it('an audio call has one Accept, which answers with audio', async () => {
    const { wrapper } = await mountWithApp(IncomingCallCard, {
      props: { state: { kind: 'ringing', call: makeCall({ media: 'audio' }) } },
    });
    expect(wrapper.find('[data-testid="incoming-accept-audio"]').exists()).toBe(false);
    await wrapper.get('[data-testid="incoming-accept"]').trigger('click');
    expect(wrapper.emitted('accept')).toEqual([['audio']]);
  });

  it('says when another device answered, without the buttons', async () => {
    const { wrapper } = await mountWithApp(IncomingCallCard, {
      props: { state: { kind: 'gone', call: makeCall(), reason: 'answered-elsewhere' } },
    });
    expect(wrapper.get('[data-testid="incoming-note"]').text()).toBe('Answered on another device');
    expect(wrapper.find('[data-testid="incoming-accept"]').exists()).toBe(false);
  });
});
