/**
 * Chinese first, English on request: the choice is kept in localStorage and every component
 * reads it through useT(). Numbers are formatted for the language in display, never in inputs.
 */
import { type ComponentChildren, createContext } from 'preact';
import { useContext } from 'preact/hooks';

export type Lang = 'zh' | 'en';

export interface Localized {
  zh: string;
  en: string;
}

const STORAGE_KEY = 'lang';

export const initialLang = (): Lang => (localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'zh');

export const rememberLang = (lang: Lang) => {
  localStorage.setItem(STORAGE_KEY, lang);
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
};

const LangContext = createContext<Lang>('zh');

export const LangProvider = (props: { lang: Lang; children: ComponentChildren }) => (
  <LangContext.Provider value={props.lang}>{props.children}</LangContext.Provider>
);

export interface Translator {
  lang: Lang;
  /** The text in the current language. */
  (zh: string, en: string): string;
  (text: Localized): string;
  number(value: number, maximumFractionDigits?: number): string;
  dateTime(iso: string): string;
  date(iso: string): string;
}

export const translator = (lang: Lang): Translator => {
  const locale = lang === 'zh' ? 'zh-CN' : 'en-GB';
  const t = ((zhOrText: string | Localized, en?: string) =>
    typeof zhOrText === 'string'
      ? lang === 'zh'
        ? zhOrText
        : (en ?? zhOrText)
      : zhOrText[lang]) as Translator;
  t.lang = lang;
  t.number = (value, maximumFractionDigits = 2) =>
    new Intl.NumberFormat(locale, { maximumFractionDigits }).format(value);
  // Dates are shown in Beijing time whatever the device's zone: deadlines are set in it.
  t.dateTime = (iso) =>
    new Intl.DateTimeFormat(locale, {
      dateStyle: 'medium',
      timeStyle: 'short',
      timeZone: 'Asia/Shanghai',
    }).format(new Date(iso));
  t.date = (iso) =>
    new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'Asia/Shanghai' }).format(
      new Date(iso),
    );
  return t;
};

export const useT = (): Translator => translator(useContext(LangContext));
