"use client";
import { useEffect } from "react";

/**
 * Registers public/sw.js (the offline app shell) in production builds only: in `next dev` a
 * cached shell would hide every edit.
 */
export function ServiceWorkerRegistration() {
  useEffect(() => {
    if (process.env.NODE_ENV !== "production" || !("serviceWorker" in navigator)) return;
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch((error: unknown) => {
      console.warn("service worker registration failed", error);
    });
  }, []);
  return null;
}
