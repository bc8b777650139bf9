// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { mountWithApp } from '../../testing/mount-app';
import AloneCard from './AloneCard.vue';

afterEach(() => {
  document.body.innerHTML = '';
});

async function card(canInvite: boolean, locale: 'en' | 'ru' = 'en') {
  const { wrapper } = await mountWithApp(AloneCard, {
    props: { code: 'abc-defg-hjkm', canInvite },
    locale,
  });
  return wrapper;
}

describe('the "only one here" card', () => {
  it('hands a host the meeting link and the invite button', async () => {
    const w = await card(true);
    expect(w.find('[data-testid="alone-link"]').text()).toContain('/r/abc-defg-hjkm');
    expect(w.find('[data-testid="alone-text"]').text()).toContain('Share this link');
    await w.find('[data-testid="alone-invite"]').trigger('click');
    expect(w.emitted('invite')).toHaveLength(1);
  });

  it('never tells a guest or a participant who cannot invite to share a link', async () => {
    for (const locale of ['en', 'ru'] as const) {
      const w = await card(false, locale);
      expect(w.find('[data-testid="alone-link"]').exists()).toBe(false);
      expect(w.find('[data-testid="alone-invite"]').exists()).toBe(false);
      expect(w.text()).not.toMatch(/link|ссылк/i);
      w.unmount();
    }
    const w = await card(false);
    expect(w.find('[data-testid="alone-text"]').text()).toBe('Waiting for others to join.');
  });

  it('can be dismissed', async () => {
    const w = await card(false);
    await w.find('[data-testid="alone-dismiss"]').trigger('click');
    expect(w.emitted('dismiss')).toHaveLength(1);
  });
});
