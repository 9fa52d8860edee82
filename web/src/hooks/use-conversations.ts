"use client";
import { useCallback, useEffect, useMemo, useState } from "react";
import type { DimClient } from "@dim/client";
import type { ConversationSummary } from "@dim/shared";
import { conversationView, sortByActivity, type ConversationView, type LiveConversation } from "@/lib/conversation-view";
import { shownError } from "@/lib/errors";
import { gateway } from "@/lib/gateway";
import { readCache, writeCache } from "@/lib/idb-store";
import { useClientEvent } from "./use-client-event";
import { usePolling } from "./use-polling";
import { useRefresh } from "./use-refresh";

function liveOf(client: DimClient | null, conversationId: string): LiveConversation | undefined {
  const meta = client?.conversationMeta(conversationId);
  if (!client || !meta) return undefined;
  const messages = client.conversationMessages(conversationId);
  return { heldSeq: meta.heldSeq, baseSeq: meta.baseSeq, readSeq: meta.readSeq, unreadCount: meta.unreadCount, last: messages[messages.length - 1] };
}

/**
 * The conversation list: conversations.list from the gateway (on load, on every (re)connect, when
 * a message arrives for a conversation not listed yet, and every 20 s), kept live in between by
 * the client's own events (previews, unread counts, states). The last list is cached in IndexedDB
 * for offline starts.
 */
export function useConversations(client: DimClient | null, meId: string) {
  const [summaries, setSummaries] = useState<ConversationSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);

  const refresh = useRefresh(
    useCallback(async () => {
      try {
        const list = await gateway().conversations.list.query();
        setSummaries(list);
        setError(null);
        void writeCache("conversations", list);
      } catch (e) {
        setError(shownError(e).message);
      }
    }, []),
  );

  useEffect(() => {
    // What was listed last time shows at once (and offline), until the gateway answers.
    void readCache<ConversationSummary[]>("conversations").then((cached) => {
      if (cached) setSummaries((s) => s ?? cached);
    });
    void refresh();
  }, [refresh]);
  usePolling(() => void refresh(), 20_000);
  useClientEvent(client, "conversation", () => setVersion((v) => v + 1));
  useClientEvent(client, "state", (state) => {
    if (state.status === "connected") void refresh();
  });
  useClientEvent(client, "message", (message) => {
    if (!summaries?.some((s) => s.id === message.conversationId)) void refresh();
  });

  const views: ConversationView[] = useMemo(
    () => sortByActivity((summaries ?? []).map((s) => conversationView(s, liveOf(client, s.id), meId))),
    // `version` re-reads the client's live state after its events.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [summaries, client, meId, version],
  );

  return { views, summaries: summaries ?? [], loaded: summaries !== null, error, refresh };
}
