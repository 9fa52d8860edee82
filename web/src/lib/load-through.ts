import type { DimClient } from "@dim/client";
import { Limits } from "@dim/shared";
import { lowestSeq } from "./chat-messages";

/** A target at most this far below what is held is paged back to (one page); farther, loaded around. */
const NEAR = Limits.maxPageSize;

/**
 * Makes the client hold `seq` and a few messages around it, so a view can scroll to it (a search
 * result, a date, the first unread), in as few gateway calls as possible: nothing when it is
 * held, one older page when it is just above that, else one page around it (`history
 * { aroundSeq }`, protocol §19) however far back it is — the list then shows the gap between
 * that page and the rest, filled when asked (DimClient.loadGap).
 */
export async function loadThrough(client: DimClient, conversationId: string, seq: number, context = 10): Promise<void> {
  if (client.holds(conversationId, seq) && client.holds(conversationId, Math.max(1, seq - context))) return;
  const lowest = lowestSeq(client.conversationMessages(conversationId));
  if (lowest !== null && seq < lowest && lowest - (seq - context) <= NEAR && client.gaps(conversationId).length === 0) {
    await client.loadOlder(conversationId, Limits.maxPageSize);
    if (client.holds(conversationId, seq)) return;
  }
  await client.loadAround(conversationId, seq, Limits.defaultPageSize);
}
