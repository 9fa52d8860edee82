"use client";
import { useCallback, useEffect, useMemo, useState } from "react";
import type { DimClient } from "@dim/client";
import type { ConversationSummary } from "@dim/shared";
import { conversationView, sortByActivity, type ConversationView, type LiveConversation } from "@/lib/conversation-view";
import { useErrorText } from "./use-error-text";
import { gateway } from "@/lib/gateway";
import { membershipEventOf } from "@/lib/group-client";
import type { NameOf } from "@/lib/system-text";
import { readCache, writeCache } from "@/lib/idb-store";
import { useClientEvent } from "./use-client-event";
import { useRefresh } from "./use-refresh";

function liveOf(client: DimClient | null, conversationId: string): LiveConversation | undefined {
  const meta = client?.conversationMeta(conversationId);
  if (!client || !meta) return undefined;
  const messages = client.conversationMessages(conversationId);
  return { heldSeq: meta.heldSeq, baseSeq: meta.baseSeq, readSeq: meta.readSeq, unreadCount: meta.unreadCount, last: messages[messages.length - 1] };
}

/**
 * The conversation list: conversations.list from the gateway on load, on every (re)connect, on the
 * client's `membership` event (added to a group, a group changed, left or removed), and when a
 * message arrives for a conversation not listed yet or a system message (a group change) for one
 * that is. No polling: every change comes pushed. Kept live in between by the client's own events
 * (previews, unread counts, states). The last list is cached in IndexedDB for offline starts.
 */
export function useConversations(client: DimClient | null, meId: string, nameOf: NameOf) {
  const errorText = useErrorText();
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
        setError(errorText(e));
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
  useClientEvent(client, "conversation", () => setVersion((v) => v + 1));
  useClientEvent(client, "membership", (payload) => {
    if (membershipEventOf(payload)) void refresh();
  });
  useClientEvent(client, "state", (state) => {
    if (state.status === "connected") void refresh();
  });
  useClientEvent(client, "message", (message) => {
    if (message.kind === "system" || !summaries?.some((s) => s.id === message.conversationId)) void refresh();
  });

  const views: ConversationView[] = useMemo(
    () => sortByActivity((summaries ?? []).map((s) => conversationView(s, liveOf(client, s.id), meId, nameOf))),
    // `version` re-reads the client's live state after its events.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [summaries, client, meId, nameOf, version],
  );

  return { views, summaries: summaries ?? [], loaded: summaries !== null, error, refresh };
}
