"use client";
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from "react";
import { toAppError, type ChatMessage, type DimClient } from "@dim/client";
import { ErrorCode, Limits, type ConversationSummary } from "@dim/shared";
import { attachmentFailureText } from "@/lib/attachment-text";
import { highestSeq, lowestSeq } from "@/lib/chat-messages";
import { useErrorText } from "./use-error-text";
import { shownError } from "@/lib/errors";
import { usePageVisible } from "./use-page-visible";

const PAGE = Limits.defaultPageSize;
const NONE: readonly ChatMessage[] = Object.freeze([]);

/**
 * One open conversation: its messages as the client holds them (IndexedDB, the latest page from
 * the gateway, live pushes and the outbox), paging back, send, retry, and read receipts while it
 * is on screen.
 */
export function useChat(client: DimClient | null, summary: ConversationSummary, online: boolean) {
  const errorText = useErrorText();
  const conversationId = summary.id;
  const [loadingEarlier, setLoadingEarlier] = useState(false);
  const [exhausted, setExhausted] = useState(false);
  const [loadError, setLoadError] = useState<string | null>(null);
  const visible = usePageVisible();

  // The client returns the same array until the conversation changes: a ready-made snapshot.
  const subscribe = useCallback(
    (onChange: () => void) =>
      client
        ? client.on("conversation", (e) => {
            if (e.conversationId === conversationId) onChange();
          })
        : () => {},
    [client, conversationId],
  );
  const messages = useSyncExternalStore(
    subscribe,
    () => client?.conversationMessages(conversationId) ?? NONE,
    () => NONE,
  );
  const lowest = lowestSeq(messages);

  // Where the "new messages" marker goes: my read cursor when the chat opened (fixed after that).
  const [unreadAfter] = useState<number | null>(() => {
    const readSeq = Math.max(summary.readSeq, client?.conversationMeta(conversationId)?.readSeq ?? 0);
    return summary.unreadCount > 0 || (client?.conversationMeta(conversationId)?.unreadCount ?? 0) > 0 ? readSeq : null;
  });

  // The latest page straight from the gateway, so history shows before (or without) the socket.
  // Offline, what IndexedDB holds is shown and this quietly fails.
  useEffect(() => {
    if (!client || summary.lastSeq === 0) return;
    let live = true;
    client.loadLatest(conversationId, PAGE).catch((e: unknown) => {
      if (live && navigator.onLine && client.conversationMessages(conversationId).length === 0) setLoadError(errorText(e));
    });
    return () => {
      live = false;
    };
    // Only when another conversation is opened (or the client is created).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [client, conversationId]);

  const busy = useRef(false);
  const loadEarlier = useCallback(async () => {
    if (!client || lowest === null || lowest <= 1 || exhausted || busy.current) return;
    busy.current = true;
    setLoadingEarlier(true);
    setLoadError(null);
    try {
      const page = await client.loadOlder(conversationId, PAGE);
      if (!page.hasMore) setExhausted(true);
    } catch (e) {
      setLoadError(online ? shownError(e).message : "Earlier messages load when the connection is back.");
    } finally {
      busy.current = false;
      setLoadingEarlier(false);
    }
  }, [client, conversationId, exhausted, lowest, online]);

  // Read receipts: everything the client holds is read while the conversation is on screen.
  const heldTop = highestSeq(messages);
  useEffect(() => {
    if (!client || !visible || heldTop === 0) return;
    const readSeq = client.conversationMeta(conversationId)?.readSeq ?? 0;
    if (heldTop > readSeq) client.markRead(conversationId, heldTop);
  }, [client, conversationId, heldTop, visible]);

  const send = useCallback(
    (body: string): string | null => {
      if (!client) return "Not ready yet.";
      try {
        client.send(conversationId, body);
        return null;
      } catch (e) {
        return toAppError(e).message;
      }
    },
    [client, conversationId],
  );

  /** Each file its own message; the text is the first one's caption. */
  const sendFiles = useCallback(
    (files: { file: File; width?: number; height?: number }[], caption: string): string | null => {
      if (!client) return "Not ready yet.";
      try {
        files.forEach((f, i) =>
          client.sendAttachment(conversationId, f.file, {
            ...(i === 0 && caption.trim() ? { caption } : {}),
            ...(f.width && f.height ? { width: f.width, height: f.height } : {}),
          }),
        );
        return null;
      } catch (e) {
        const error = toAppError(e);
        return attachmentFailureText({ code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) }, null);
      }
    },
    [client, conversationId],
  );

  // Retry and discard of an own message. NOT_FOUND: the server confirmed it meanwhile (the late
  // ACK won the race) or it is gone already: nothing to do.
  const onOwn = useCallback(
    (act: (client: DimClient) => void) => {
      if (!client) return;
      try {
        act(client);
      } catch (e) {
        const error = toAppError(e);
        if (error.code !== ErrorCode.NotFound) setLoadError(errorText(error));
      }
    },
    [client],
  );
  const discard = useCallback((clientMsgId: string) => onOwn((c) => c.discard(clientMsgId)), [onOwn]);
  const retry = useCallback((clientMsgId: string) => onOwn((c) => void c.retry(clientMsgId)), [onOwn]);

  return {
    messages,
    unreadAfter,
    canLoadEarlier: lowest !== null && lowest > 1 && !exhausted,
    loadingEarlier,
    loadEarlier,
    loadError,
    send,
    sendFiles,
    discard,
    retry,
  };
}
