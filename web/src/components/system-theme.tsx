"use client";
import { useEffect } from "react";
import { applyTheme, readThemeChoice } from "@/lib/theme";

/** On every page (sign-in included): following the system, re-apply the theme when it changes. */
export function SystemThemeListener() {
  useEffect(() => {
    const media = matchMedia("(prefers-color-scheme: dark)");
    const onChange = () => {
      if (readThemeChoice() === "system") applyTheme("system");
    };
    media.addEventListener("change", onChange);
    return () => media.removeEventListener("change", onChange);
  }, []);
  return null;
}
