/**
 * The PWA's message catalogue (use-intl, the framework-agnostic core of next-intl):
 *   const t = useTranslations("chat"); t("send"); t("unread", { count })
 * Messages live in ./messages/en.json and ./messages/zh-CN.json (ICU syntax; same keys in both).
 */
export { useFormatter, useNow, useTranslations, createTranslator } from "use-intl";
export type { Locale, LocaleChoice } from "./locales";
export { LOCALES } from "./locales";
export { I18nProvider, useLocaleChoice } from "./provider";

import type { createFormatter, createTranslator as createTranslatorType, Messages, NamespaceKeys, NestedKeyOf } from "use-intl/core";
/** A translator handed to view logic outside React (lib/*): `(t: Translator<"chat">) => t("…")`. */
export type Translator<N extends NamespaceKeys<Messages, NestedKeyOf<Messages>> = never> = ReturnType<typeof createTranslatorType<Messages, N>>;
/** useFormatter()'s dates, times, numbers and lists in the current locale. */
export type Formatter = ReturnType<typeof createFormatter>;
