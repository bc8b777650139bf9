// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { mountWithApp } from '../testing/mount-app';
import JoinBox from './JoinBox.vue';

afterEach(() => {
  document.body.innerHTML = '';
});

async function submit(value: string) {
  const app = await mountWithApp(JoinBox);
  await app.wrapper.get('[data-testid="join-code-input"]').setValue(value);
  await app.wrapper.get('form').trigger('submit');
  await flushPromises();
  return app;
}

describe('JoinBox', () => {
  it('keeps Join disabled until something is typed', async () => {
    const { wrapper } = await mountWithApp(JoinBox);
    const button = wrapper.get('[data-testid="join-code-submit"]');
    expect(button.attributes('disabled')).toBeDefined();
    await wrapper.get('[data-testid="join-code-input"]').setValue('abc');
    expect(button.attributes('disabled')).toBeUndefined();
  });

  it('goes to the pre-join page of a code typed in capitals without dashes', async () => {
    const { router } = await submit('ABCDEFGHJKM');
    expect(router.currentRoute.value.fullPath).toBe('/r/abc-defg-hjkm');
  });

  it('goes to the invite page of a pasted invite link', async () => {
    const { router } = await submit('https://meet.example.org/i/Xk4w9-2Pqzt');
    expect(router.currentRoute.value.fullPath).toBe('/i/Xk4w9-2Pqzt');
  });

  it('explains what a code looks like when the input is neither a code nor a link', async () => {
    const { wrapper, router } = await submit('hello there');
    expect(router.currentRoute.value.fullPath).toBe('/');
    const error = wrapper.get('[role="alert"]');
    expect(error.text()).toContain('abc-defg-hjkm');
    const input = wrapper.get('[data-testid="join-code-input"]');
    expect(input.attributes('aria-invalid')).toBe('true');
    expect(input.attributes('aria-describedby')).toBe(error.attributes('id'));
  });

  it('is labelled and translated', async () => {
    const { wrapper } = await mountWithApp(JoinBox, { locale: 'ru' });
    const input = wrapper.get('input');
    const label = wrapper.get(`label[for="${input.attributes('id')}"]`);
    expect(label.text()).toBe('Код встречи или ссылка-приглашение');
    expect(wrapper.get('[data-testid="join-code-submit"]').text()).toBe('Перейти');
  });
});
