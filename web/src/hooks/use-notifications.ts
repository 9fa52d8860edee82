"use client";
import { useCallback, useEffect, useRef, useState } from "react";
import type { ChatMessage, DimClient } from "@dim/client";
import type { ConversationView } from "@/lib/conversation-view";
import { useClientEvent } from "./use-client-event";
import { notificationText } from "@/lib/notification-text";
import type { NameOf } from "@/lib/system-text";
import { useTranslatorRef } from "./use-error-text";

/**
 * The desktop app's bridge (desktop/src/bridge-types.ts), declared structurally here so the web
 * app does not depend on the desktop workspace.
 */
interface DesktopBridge {
  setUnreadCount(count: number): void;
  notify(notification: { title: string; body: string; conversationId: string }): Promise<boolean>;
  onNotificationClick(callback: (conversationId: string) => void): () => void;
}

function desktop(): DesktopBridge | undefined {
  return (window as { dimDesktop?: DesktopBridge }).dimDesktop;
}

export type NotificationPermissionState = NotificationPermission | "unsupported" | "desktop";

/** Only messages this recent are worth a notification (not history paged in or synced after a week away). */
const FRESH_MS = 5 * 60_000;

/**
 * Notifications for new messages while the page is hidden: through the desktop app's bridge when
 * present, else the browser's Notification API (permission asked from a button, never on load).
 * The unread total goes to the desktop badge, the installed PWA's badge and the tab title.
 * A message that mentions me says so ("Ana mentioned you in Trip") and notifies even in a
 * conversation `muted` says is muted (@dim/shared mentionsUser: the rule Web Push follows too).
 */
export function useNotifications(
  client: DimClient | null,
  views: ConversationView[],
  onOpen: (conversationId: string) => void,
  options: { nameOf?: NameOf; muted?: (conversationId: string) => boolean } = {},
) {
  const tRef = useTranslatorRef();
  const optionsRef = useRef(options);
  optionsRef.current = options;
  const [permission, setPermission] = useState<NotificationPermissionState>("unsupported");
  const viewsRef = useRef(views);
  viewsRef.current = views;
  const openRef = useRef(onOpen);
  openRef.current = onOpen;

  useEffect(() => {
    if (desktop()) setPermission("desktop");
    else if ("Notification" in window) setPermission(Notification.permission);
  }, []);

  const requestPermission = useCallback(async () => {
    if (!("Notification" in window)) return;
    setPermission(await Notification.requestPermission());
  }, []);

  // A click on a notification opens its conversation (desktop bridge, or the service worker).
  useEffect(() => {
    const off = desktop()?.onNotificationClick((id) => openRef.current(id));
    const onMessage = (event: MessageEvent) => {
      const data = event.data as { type?: string; conversationId?: string } | null;
      if (data?.type === "dim:open-conversation" && typeof data.conversationId === "string") openRef.current(data.conversationId);
    };
    navigator.serviceWorker?.addEventListener("message", onMessage);
    return () => {
      off?.();
      navigator.serviceWorker?.removeEventListener("message", onMessage);
    };
  }, []);

  useClientEvent(client, "message", (message: ChatMessage) => {
    if (message.own || document.visibilityState === "visible") return;
    if (Date.now() - new Date(message.createdAt).getTime() > FRESH_MS) return;
    const readSeq = client?.conversationMeta(message.conversationId)?.readSeq ?? 0;
    if (message.seq !== null && message.seq <= readSeq) return;
    if (!message.mentionsMe && optionsRef.current.muted?.(message.conversationId)) return;
    const conversation = viewsRef.current.find((v) => v.id === message.conversationId);
    const { title, body, tag } = notificationText(message, conversation, optionsRef.current.nameOf ?? (() => undefined), tRef.current);
    const bridge = desktop();
    if (bridge) {
      void bridge.notify({ title, body, conversationId: message.conversationId });
      return;
    }
    if (!("Notification" in window) || Notification.permission !== "granted") return;
    const options: NotificationOptions = { body, tag, icon: "/icons/icon-192.png", data: { conversationId: message.conversationId } };
    // Through the service worker where there is one (required on Android; clicks reach sw.js).
    void navigator.serviceWorker?.getRegistration().then((registration) => {
      if (registration) return registration.showNotification(title, options);
      const n = new Notification(title, options);
      n.onclick = () => {
        window.focus();
        openRef.current(message.conversationId);
      };
    });
  });

  const unread = views.reduce((sum, v) => sum + v.unreadCount, 0);
  useEffect(() => {
    desktop()?.setUnreadCount(unread);
    const nav = navigator as Navigator & { setAppBadge?: (n: number) => Promise<void>; clearAppBadge?: () => Promise<void> };
    if (unread > 0) void nav.setAppBadge?.(unread).catch(() => {});
    else void nav.clearAppBadge?.().catch(() => {});
    document.title = unread > 0 ? `(${unread}) DIM` : "DIM";
  }, [unread]);

  return { permission, requestPermission, unread };
}
