"use client";
import { useEffect, useState } from "react";
import { useTranslations } from "@/i18n";
import { applyTheme, readThemeChoice, systemPrefersDark, type ThemeChoice } from "@/lib/theme";

const NEXT: Record<ThemeChoice, ThemeChoice> = { system: "light", light: "dark", dark: "system" };
const ICON: Record<ThemeChoice, string> = { system: "◐", light: "☀", dark: "☾" };

/** Cycles system → light → dark; the choice is remembered on this device. */
export function ThemeToggle({ className = "" }: { className?: string }) {
  const t = useTranslations("theme");
  const [choice, setChoice] = useState<ThemeChoice>("system");
  useEffect(() => {
    setChoice(readThemeChoice());
    // Following the system: re-apply when it changes.
    const media = matchMedia("(prefers-color-scheme: dark)");
    const onChange = () => {
      if (readThemeChoice() === "system") applyTheme("system");
    };
    media.addEventListener("change", onChange);
    return () => media.removeEventListener("change", onChange);
  }, []);

  const next = NEXT[choice];
  return (
    <button
      type="button"
      data-testid="theme-toggle"
      data-theme-choice={choice}
      onClick={() => {
        applyTheme(next);
        setChoice(next);
      }}
      aria-label={t("label", { current: choice, shown: choice === "system" ? (typeof window !== "undefined" && systemPrefersDark() ? "dark" : "light") : choice, next })}
      title={t("title", { current: choice, next })}
      className={`inline-flex h-8 w-8 items-center justify-center rounded-md text-base text-slate-600 hover:bg-slate-100 hover:text-slate-900 ${className}`}
    >
      <span aria-hidden>{ICON[choice]}</span>
    </button>
  );
}
