"use client";
import { useEffect } from "react";
import { gateway } from "@/lib/gateway";

/**
 * Once notifications are allowed (and not in the desktop app, which notifies by itself while it
 * runs), subscribes this browser to Web Push with the server's VAPID key and registers the
 * subscription for this session (notifications.subscribe; again at every start: idempotent, and
 * it follows the session after a new sign-in). The server then pushes while none of the user's
 * devices is connected; sw.js shows them. Where there is no push service (headless browsers,
 * some private windows), only the page's own notifications remain.
 */
export function usePushSubscription(enabled: boolean): void {
  useEffect(() => {
    if (!enabled || !("serviceWorker" in navigator) || !("PushManager" in window)) return;
    let cancelled = false;
    void (async () => {
      try {
        const { publicKey } = await gateway().notifications.vapidKey.query();
        const registration = await navigator.serviceWorker.ready;
        const existing = await registration.pushManager.getSubscription();
        const key = existing?.options.applicationServerKey;
        // A subscription made for another server key (keys rotated) cannot be used: replace it.
        const current = existing && key && base64url(key) === publicKey ? existing : null;
        if (existing && !current) await existing.unsubscribe();
        const subscription = current ?? (await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: fromBase64url(publicKey) }));
        if (cancelled) return;
        const json = subscription.toJSON();
        await gateway().notifications.subscribe.mutate({
          endpoint: subscription.endpoint,
          expirationTime: subscription.expirationTime,
          keys: { p256dh: json.keys?.p256dh ?? "", auth: json.keys?.auth ?? "" },
        });
      } catch (error) {
        console.info("Web Push is not available here; notifications show while the app is open", error);
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [enabled]);
}

function base64url(buffer: ArrayBuffer): string {
  let s = "";
  for (const b of new Uint8Array(buffer)) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  const raw = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  const bytes = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}
