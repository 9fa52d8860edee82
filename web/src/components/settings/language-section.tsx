"use client";
import { useEffect, useState } from "react";
import { LOCALES, useLocaleChoice, useTranslations, type LocaleChoice } from "@/i18n";
import { browserLanguages } from "@/i18n/choice";
import { isLocale, matchLocale, type Locale } from "@/i18n/locales";

/** The app's language: the browser's (default) or one chosen here, kept on this device. */
export function LanguageSection() {
  const t = useTranslations("language");
  const { choice, setChoice } = useLocaleChoice();
  const [browser, setBrowser] = useState<Locale>("en");
  useEffect(() => setBrowser(matchLocale(browserLanguages())), []);
  return (
    <section aria-labelledby="settings-language" className="space-y-2">
      <h3 id="settings-language" className="text-sm font-semibold text-slate-900">
        {t("heading")}
      </h3>
      <label htmlFor="settings-language-select" className="block text-sm font-medium text-slate-700">
        {t("label")}
      </label>
      <select
        id="settings-language-select"
        data-testid="language-select"
        value={choice}
        aria-describedby="settings-language-hint"
        onChange={(e) => {
          const value = e.target.value;
          setChoice((isLocale(value) ? value : "system") satisfies LocaleChoice);
        }}
        className="block w-full rounded-md border border-slate-300 bg-surface px-3 py-2 text-sm text-slate-900"
      >
        <option value="system">{t("system", { language: t(`names.${browser}`) })}</option>
        {LOCALES.map((locale) => (
          <option key={locale} value={locale} lang={locale}>
            {t(`names.${locale}`)}
          </option>
        ))}
      </select>
      <p id="settings-language-hint" className="text-xs text-slate-500">
        {t("hint")}
      </p>
    </section>
  );
}
