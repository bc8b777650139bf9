import { createI18n } from 'vue-i18n';
import en from './locales/en.json';
import ru from './locales/ru.json';

export const LOCALES = ['en', 'ru'] as const;
export type Locale = (typeof LOCALES)[number];

export const LOCALE_KEY = 'parley.locale';

/** Each language's name in itself, for the switcher. */
export const LOCALE_NAMES: Record<Locale, string> = { en: 'English', ru: 'Русский' };

export type MessageSchema = typeof en;

function isLocale(v: unknown): v is Locale {
  return typeof v === 'string' && (LOCALES as readonly string[]).includes(v);
}

/** The remembered choice, else the first browser language we speak, else English. */
export function detectLocale(
  stored: string | null,
  languages: readonly string[] = typeof navigator !== 'undefined' ? navigator.languages : [],
): Locale {
  if (isLocale(stored)) return stored;
  for (const tag of languages) {
    const base = tag.toLowerCase().split('-')[0];
    if (isLocale(base)) return base;
  }
  return 'en';
}

function readStored(): string | null {
  try {
    return localStorage.getItem(LOCALE_KEY);
  } catch {
    return null;
  }
}

/** Russian has three plural forms: 1 минута, 2 минуты, 5 минут (and 0 uses the last). */
export function russianPlural(choice: number, choicesLength: number): number {
  if (choicesLength < 3) return Math.min(Math.abs(choice) === 1 ? 0 : 1, choicesLength - 1);
  const n = Math.abs(choice);
  const mod10 = n % 10;
  const mod100 = n % 100;
  if (mod10 === 1 && mod100 !== 11) return 0;
  if (mod10 >= 2 && mod10 <= 4 && (mod100 < 12 || mod100 > 14)) return 1;
  return 2;
}

export function createAppI18n(locale: Locale = detectLocale(readStored())) {
  return createI18n<[MessageSchema], Locale, false>({
    legacy: false,
    locale,
    fallbackLocale: 'en',
    messages: { en, ru },
    pluralRules: { ru: russianPlural },
    datetimeFormats: {
      en: {
        short: { dateStyle: 'medium' },
        long: { dateStyle: 'medium', timeStyle: 'short' },
      },
      ru: {
        short: { dateStyle: 'medium' },
        long: { dateStyle: 'medium', timeStyle: 'short' },
      },
    },
  });
}

export type AppI18n = ReturnType<typeof createAppI18n>;

/** Switches the language, remembers it and keeps `<html lang>` in step. */
export function applyLocale(current: { value: string }, locale: Locale): void {
  current.value = locale;
  if (typeof document !== 'undefined') document.documentElement.lang = locale;
  try {
    localStorage.setItem(LOCALE_KEY, locale);
  } catch {
    // Not remembered; the choice still applies to this page.
  }
}
