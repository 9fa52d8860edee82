"use client";
import { useEffect, useRef } from "react";

/**
 * Calls `fn` every `ms` while the tab is visible, and at once when it becomes visible again.
 * (Contact requests have no push frame yet, so the sidebar polls for them.)
 */
export function usePolling(fn: () => void, ms: number, enabled = true): void {
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => {
    if (!enabled) return;
    const tick = () => {
      if (document.visibilityState === "visible") ref.current();
    };
    const timer = setInterval(tick, ms);
    document.addEventListener("visibilitychange", tick);
    return () => {
      clearInterval(timer);
      document.removeEventListener("visibilitychange", tick);
    };
  }, [ms, enabled]);
}
