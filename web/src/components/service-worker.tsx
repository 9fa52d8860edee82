"use client";
import { useEffect } from "react";

/**
 * Registers public/sw.js (the offline app shell), in `npm run dev` too: the README's main command
 * must reload offline as its screenshot promises. Development registers `/sw.js?dev=1`, which
 * goes to the network first for everything (dev chunks have no content hash, so a cached one
 * would hide an edit) and falls back to the cache only when the server cannot be reached.
 */
export function ServiceWorkerRegistration() {
  useEffect(() => {
    if (!("serviceWorker" in navigator)) return;
    const script = process.env.NODE_ENV === "production" ? "/sw.js" : "/sw.js?dev=1";
    navigator.serviceWorker.register(script, { scope: "/" }).catch((error: unknown) => {
      console.warn("service worker registration failed", error);
    });
  }, []);
  return null;
}
