import { describe, expect, it } from 'vitest';
import { createAppI18n, detectLocale, russianPlural } from './i18n';

describe('detectLocale', () => {
  it('prefers the remembered choice', () => {
    expect(detectLocale('ru', ['en-US'])).toBe('ru');
    expect(detectLocale('en', ['ru-RU'])).toBe('en');
  });

  it('otherwise takes the first browser language Parley speaks', () => {
    expect(detectLocale(null, ['ru-RU', 'en'])).toBe('ru');
    expect(detectLocale(null, ['de-DE', 'RU', 'en'])).toBe('ru');
    expect(detectLocale('xx', ['fr', 'en-GB'])).toBe('en');
  });

  it('falls back to English', () => {
    expect(detectLocale(null, [])).toBe('en');
    expect(detectLocale(null, ['ja-JP'])).toBe('en');
  });
});

describe('Russian plurals', () => {
  it.each([
    [1, 0],
    [21, 0],
    [101, 0],
    [2, 1],
    [4, 1],
    [23, 1],
    [0, 2],
    [5, 2],
    [11, 2],
    [12, 2],
    [14, 2],
    [111, 2],
  ])('%i picks form %i', (n, form) => {
    expect(russianPlural(n, 3)).toBe(form);
  });

  it('reads naturally through vue-i18n', () => {
    const i18n = createAppI18n('ru');
    const t = i18n.global.t;
    expect(t('prejoin.inCall', { n: 1 }, 1)).toBe('1 участник в звонке');
    expect(t('prejoin.inCall', { n: 3 }, 3)).toBe('3 участника в звонке');
    expect(t('prejoin.inCall', { n: 5 }, 5)).toBe('5 участников в звонке');
    const enT = createAppI18n('en').global.t;
    expect(enT('prejoin.inCall', { n: 1 }, 1)).toBe('1 person in the call');
    expect(enT('prejoin.inCall', { n: 2 }, 2)).toBe('2 people in the call');
  });
});
