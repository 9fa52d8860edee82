/** The person's language choice on this device: localStorage, mirrored in a cookie for the server. */
import { LOCALE_KEY, isLocale, type LocaleChoice } from "./locales";

export function readLocaleChoice(): LocaleChoice {
  try {
    const value = localStorage.getItem(LOCALE_KEY);
    return isLocale(value) ? value : "system";
  } catch {
    return "system";
  }
}

export function storeLocaleChoice(choice: LocaleChoice): void {
  try {
    if (choice === "system") localStorage.removeItem(LOCALE_KEY);
    else localStorage.setItem(LOCALE_KEY, choice);
  } catch {
    // Storage refused (private mode): the choice lasts for this page only.
  }
  // The server renders the next page load in the chosen language (app/layout.tsx).
  document.cookie =
    choice === "system" ? `${LOCALE_KEY}=; path=/; max-age=0; samesite=lax` : `${LOCALE_KEY}=${encodeURIComponent(choice)}; path=/; max-age=31536000; samesite=lax`;
}

export function browserLanguages(): readonly string[] {
  if (typeof navigator === "undefined") return [];
  return navigator.languages?.length ? navigator.languages : navigator.language ? [navigator.language] : [];
}
