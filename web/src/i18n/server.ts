import { cookies, headers } from "next/headers";
import { createTranslator } from "use-intl/core";
import { LOCALE_KEY, acceptedLanguages, isLocale, matchLocale, type Locale } from "./locales";
import { MESSAGES } from "./messages";

/** The request's locale: the cookie of an explicit choice, else the browser's Accept-Language. */
export async function requestLocale(): Promise<Locale> {
  const chosen = (await cookies()).get(LOCALE_KEY)?.value;
  if (isLocale(chosen)) return chosen;
  return matchLocale(acceptedLanguages((await headers()).get("accept-language")));
}

/** A translator for server code (page metadata). */
export async function serverTranslator<N extends keyof (typeof MESSAGES)["en"]>(namespace: N) {
  const locale = await requestLocale();
  return createTranslator({ locale, messages: MESSAGES[locale], namespace });
}
