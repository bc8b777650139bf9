// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { LOCALE_KEY } from '../i18n';
import { mountWithApp } from '../testing/mount-app';
import LanguageSwitcher from './LanguageSwitcher.vue';

afterEach(() => {
  localStorage.clear();
  document.body.innerHTML = '';
  document.documentElement.lang = '';
});

describe('LanguageSwitcher', () => {
  it('switches the language, remembers it and sets <html lang>', async () => {
    const { wrapper, i18n } = await mountWithApp(LanguageSwitcher);
    const select = wrapper.get('select');
    expect(wrapper.get(`label[for="${select.attributes('id')}"]`).text()).toBe('Language');

    await select.setValue('ru');

    expect(i18n.global.locale.value).toBe('ru');
    expect(localStorage.getItem(LOCALE_KEY)).toBe('ru');
    expect(document.documentElement.lang).toBe('ru');
    expect(wrapper.get(`label[for="${select.attributes('id')}"]`).text()).toBe('Язык');
  });
});
