"use client";
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { IntlProvider } from "use-intl";
import { browserLanguages, readLocaleChoice, storeLocaleChoice } from "./choice";
import { resolveLocale, type Locale, type LocaleChoice } from "./locales";
import { MESSAGES } from "./messages";

interface LocaleState {
  locale: Locale;
  choice: LocaleChoice;
  setChoice: (choice: LocaleChoice) => void;
}

const LocaleContext = createContext<LocaleState | null>(null);

function clientTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

/**
 * The message catalogue for everything below. `initialLocale` is what the server rendered in
 * (cookie or Accept-Language, app/layout.tsx); after mounting, the stored choice or
 * navigator.languages decides (a page the service worker cached may have been rendered in another
 * language). <html lang> follows the locale.
 */
export function I18nProvider({ initialLocale, children }: { initialLocale: Locale; children: ReactNode }) {
  const [choice, setChoiceState] = useState<LocaleChoice>("system");
  const [locale, setLocale] = useState<Locale>(initialLocale);
  const [timeZone] = useState(clientTimeZone);

  useEffect(() => {
    const stored = readLocaleChoice();
    setChoiceState(stored);
    setLocale(resolveLocale(stored, browserLanguages()));
    const onLanguageChange = () => {
      if (readLocaleChoice() === "system") setLocale(resolveLocale("system", browserLanguages()));
    };
    window.addEventListener("languagechange", onLanguageChange);
    return () => window.removeEventListener("languagechange", onLanguageChange);
  }, []);

  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);

  const setChoice = useCallback((next: LocaleChoice) => {
    storeLocaleChoice(next);
    setChoiceState(next);
    setLocale(resolveLocale(next, browserLanguages()));
  }, []);

  const value = useMemo(() => ({ locale, choice, setChoice }), [locale, choice, setChoice]);
  return (
    <LocaleContext.Provider value={value}>
      <IntlProvider locale={locale} messages={MESSAGES[locale]} timeZone={timeZone}>
        {children}
      </IntlProvider>
    </LocaleContext.Provider>
  );
}

/** The current locale and the person's choice ("system" = the browser's languages). */
export function useLocaleChoice(): LocaleState {
  const state = useContext(LocaleContext);
  if (!state) throw new Error("useLocaleChoice outside <I18nProvider>");
  return state;
}
