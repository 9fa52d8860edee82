"use client";
import { useCallback, useEffect, useRef, useState } from "react";
import type { ChatMessage, DimClient } from "@dim/client";
import type { ConversationView } from "@/lib/conversation-view";
import { useClientEvent } from "./use-client-event";
import { attachmentPreview } from "@/lib/attachment-text";
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
 */
export function useNotifications(client: DimClient | null, views: ConversationView[], onOpen: (conversationId: string) => void) {
  const tRef = useTranslatorRef();
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
    const conversation = viewsRef.current.find((v) => v.id === message.conversationId);
    const title = conversation?.title ?? tRef.current("notifications.newMessage");
    const text = attachmentPreview(message.kind, message.attachment, message.body, tRef.current);
    const body = text.length > 200 ? `${text.slice(0, 199)}…` : text;
    const bridge = desktop();
    if (bridge) {
      void bridge.notify({ title: title.slice(0, 120), body, conversationId: message.conversationId });
      return;
    }
    if (!("Notification" in window) || Notification.permission !== "granted") return;
    const options: NotificationOptions = { body, tag: message.conversationId, icon: "/icons/icon-192.png", data: { conversationId: message.conversationId } };
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
