import type { Locale } from "./locales";
import type { Messages } from "./messages";

// Typed keys and arguments: t("no.such.key") or a missing ICU argument is a type error.
declare module "use-intl" {
  interface AppConfig {
    Locale: Locale;
    Messages: Messages;
  }
}
