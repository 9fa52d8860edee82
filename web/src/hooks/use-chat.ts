"use client";
import { useCallback, useEffect, useMemo, useState, useSyncExternalStore } from "react";
import { toAppError, type ChatMessage, type DimClient } from "@dim/client";
import { ErrorCode, Limits, type ConversationSummary } from "@dim/shared";
import { highestSeq, historyMessage, lowestSeq, mergeMessages } from "@/lib/chat-messages";
import { shownError } from "@/lib/errors";
import { gateway } from "@/lib/gateway";
import { usePageVisible } from "./use-page-visible";

const PAGE = Limits.defaultPageSize;
const NONE: readonly ChatMessage[] = Object.freeze([]);

/**
 * One open conversation: its messages (live from the client, plus gateway history pages the
 * client does not hold), "Load earlier", send, retry, and read receipts while it is on screen.
 */
export function useChat(client: DimClient | null, summary: ConversationSummary, meId: string) {
  const conversationId = summary.id;
  const [history, setHistory] = useState<ChatMessage[]>([]);
  const [loadingEarlier, setLoadingEarlier] = useState(false);
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
  const held = useSyncExternalStore(
    subscribe,
    () => client?.conversationMessages(conversationId) ?? NONE,
    () => NONE,
  );
  const messages = useMemo(() => mergeMessages(held, history), [held, history]);
  const lowest = lowestSeq(messages);

  const cursors = useCallback(() => {
    const meta = client?.conversationMeta(conversationId);
    return {
      peersDeliveredSeq: Math.max(meta?.peersDeliveredSeq ?? 0, summary.peersDeliveredSeq),
      peersReadSeq: Math.max(meta?.peersReadSeq ?? 0, summary.peersReadSeq),
    };
  }, [client, conversationId, summary.peersDeliveredSeq, summary.peersReadSeq]);

  // The latest page straight from the gateway, so history shows before (or without) the socket.
  useEffect(() => {
    setHistory([]);
    setLoadError(null);
    if (summary.lastSeq === 0) return;
    let live = true;
    gateway()
      .conversations.history.query({ conversationId, limit: PAGE })
      .then((page) => live && setHistory(page.messages.map((m) => historyMessage(m, meId, cursors()))))
      .catch((e: unknown) => live && setLoadError(shownError(e).message));
    return () => {
      live = false;
    };
    // Only when another conversation is opened.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [conversationId]);

  const loadEarlier = useCallback(async () => {
    if (lowest === null || lowest <= 1 || loadingEarlier) return;
    setLoadingEarlier(true);
    setLoadError(null);
    try {
      const lowestHeld = lowestSeq(held);
      if (client && lowestHeld !== null && lowestHeld === lowest) {
        await client.loadOlder(conversationId, PAGE);
      } else {
        const page = await gateway().conversations.history.query({ conversationId, beforeSeq: lowest, limit: PAGE });
        const c = cursors();
        setHistory((h) => [...page.messages.map((m) => historyMessage(m, meId, c)), ...h]);
      }
    } catch (e) {
      setLoadError(shownError(e).message);
    } finally {
      setLoadingEarlier(false);
    }
  }, [client, conversationId, cursors, held, loadingEarlier, lowest, meId]);

  // Read receipts: everything the client holds is read while the conversation is on screen.
  const heldTop = highestSeq(held);
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

  const retry = useCallback(
    (clientMsgId: string) => {
      try {
        client?.retry(clientMsgId);
      } catch (e) {
        const error = toAppError(e);
        // NOT_FOUND: the server confirmed it meanwhile (the late ACK won the race): nothing to do.
        if (error.code !== ErrorCode.NotFound) setLoadError(error.message);
      }
    },
    [client],
  );

  return { messages, canLoadEarlier: lowest !== null && lowest > 1, loadingEarlier, loadEarlier, loadError, send, retry };
}
