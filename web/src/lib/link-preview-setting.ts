/**
 * "Show link previews", a choice of this device (localStorage), on unless turned off. Off, the
 * app never asks the gateway for a preview. Changes reach every mounted bubble at once (and
 * other tabs, through the storage event).
 */
import { useSyncExternalStore } from "react";

export const LINK_PREVIEWS_KEY = "dim-link-previews";
const CHANGED = "dim-link-previews-changed";

export function readLinkPreviewsOn(): boolean {
  try {
    return localStorage.getItem(LINK_PREVIEWS_KEY) !== "off";
  } catch {
    return true;
  }
}

export function setLinkPreviewsOn(on: boolean): void {
  try {
    if (on) localStorage.removeItem(LINK_PREVIEWS_KEY);
    else localStorage.setItem(LINK_PREVIEWS_KEY, "off");
  } catch {
    // Storage refused (private mode): nothing to remember it in.
  }
  window.dispatchEvent(new Event(CHANGED));
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener(CHANGED, onChange);
  window.addEventListener("storage", onChange);
  return () => {
    window.removeEventListener(CHANGED, onChange);
    window.removeEventListener("storage", onChange);
  };
}

/** The setting, following its changes; off while rendering on the server. */
export function useLinkPreviewsOn(): boolean {
  return useSyncExternalStore(subscribe, readLinkPreviewsOn, () => false);
}
