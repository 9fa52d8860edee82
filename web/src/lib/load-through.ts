import type { DimClient } from "@dim/client";
import { Limits } from "@dim/shared";
import { lowestSeq } from "./chat-messages";

/** Most pages fetched for one jump (200 messages each): a bound, not an expected figure. */
const MAX_PAGES = 100;

/**
 * Makes the client hold `seq` and a few messages before it, so a view can scroll to it (a search
 * result, a date, the first unread). The client keeps a conversation contiguous from what it
 * holds up to the newest message, so this pages older history in, the largest pages at a time;
 * the gateway's `history { aroundSeq }` (protocol §19) is for clients that keep gaps.
 */
export async function loadThrough(client: DimClient, conversationId: string, seq: number, context = 10): Promise<void> {
  const target = Math.max(1, seq - context);
  if (client.conversationMessages(conversationId).length === 0) await client.loadLatest(conversationId, Limits.maxPageSize);
  for (let i = 0; i < MAX_PAGES; i++) {
    const lowest = lowestSeq(client.conversationMessages(conversationId));
    if (lowest === null || lowest <= target) return;
    const page = await client.loadOlder(conversationId, Limits.maxPageSize);
    if (!page.hasMore && page.added === 0) return;
  }
}
