"use client";
import { useEffect, useState, type RefObject } from "react";
import type { ChatMessage } from "@dim/client";
import { firstLink, type LinkPreview } from "@dim/shared";
import { gateway } from "@/lib/gateway";
import { useLinkPreviewsOn } from "@/lib/link-preview-setting";

/** Asked once per link per page (the gateway caches for everyone); a failed ask is asked again later. */
const asked = new Map<string, Promise<LinkPreview | null>>();

function previewOf(url: string, conversationId: string, seq: number): Promise<LinkPreview | null> {
  let answer = asked.get(url);
  if (!answer) {
    answer = gateway()
      .conversations.linkPreview.query({ conversationId, seq })
      .then(
        (r) => r.preview,
        () => {
          asked.delete(url); // offline, throttled: another bubble (or a later render) asks again
          return null;
        },
      );
    asked.set(url, answer);
  }
  return answer;
}

/**
 * The preview card's content for a stored text message with a link: asked for only once the
 * bubble is near the screen (lazy), and never while "Show link previews" is off.
 */
export function useLinkPreview(message: ChatMessage, element: RefObject<HTMLElement | null>): LinkPreview | null {
  const on = useLinkPreviewsOn();
  const url = on && message.kind === "text" && !message.deleted && message.seq !== null ? firstLink(message.body) : null;
  const [near, setNear] = useState(false);
  const [preview, setPreview] = useState<LinkPreview | null>(null);

  useEffect(() => {
    const el = element.current;
    if (!url || near || !el) return;
    if (typeof IntersectionObserver !== "function") return setNear(true);
    const seen = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && setNear(true), { rootMargin: "200px" });
    seen.observe(el);
    return () => seen.disconnect();
  }, [url, near, element]);

  const { conversationId, seq } = message;
  useEffect(() => {
    if (!url || !near || seq === null) return;
    let live = true;
    void previewOf(url, conversationId, seq).then((p) => live && setPreview(p));
    return () => {
      live = false;
    };
  }, [url, near, conversationId, seq]);

  return url && preview?.url === url ? preview : null;
}
