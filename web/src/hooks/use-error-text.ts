"use client";
import { useCallback, useEffect, useRef } from "react";
import { useTranslations } from "@/i18n";
import { friendlyMessage, shownError, type ShownError } from "@/lib/errors";

function isShown(value: unknown): value is ShownError {
  return typeof value === "object" && value !== null && "code" in value && "message" in value && !(value instanceof Error);
}

/**
 * `errorText(e)`: a typed error (or whatever a call rejected with) in the current language. The
 * function is stable, so hooks can use it inside effects and callbacks without re-running them
 * when the language changes.
 */
export function useErrorText(): (error: unknown) => string {
  const t = useTranslations("errors");
  const ref = useRef(t);
  useEffect(() => {
    ref.current = t;
  }, [t]);
  return useCallback((error: unknown) => friendlyMessage(isShown(error) ? error : shownError(error), ref.current), []);
}
