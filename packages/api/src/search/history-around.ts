import type { HistoryOutput } from "@dim/shared";
import type { MessageStore } from "@dim/db";

/**
 * history with `aroundSeq`: about half the page before the seq, the seq and the rest after it;
 * near either end of the window the other side fills the page. Both sides are the store's
 * window-clamped reads, so a seq outside your window gives only what the window holds.
 * `hasMore` is about older messages, `hasMoreAfter` about newer ones.
 */
export async function historyAround(
  store: Pick<MessageStore, "before" | "after">,
  input: { conversationId: string; aroundSeq: number; limit: number },
  viewerId: string,
): Promise<Omit<HistoryOutput, "lastSeq">> {
  const { conversationId, aroundSeq, limit } = input;
  const [older, newer] = await Promise.all([
    store.before(conversationId, aroundSeq, limit + 1, viewerId),
    store.after(conversationId, aroundSeq - 1, limit + 1, viewerId),
  ]);
  // Both ascending. Older takes its half, or more when the newer side is short.
  const olderTake = Math.min(older.length, Math.max(Math.floor(limit / 2), limit - newer.length));
  const newerTake = Math.min(newer.length, limit - olderTake);
  return {
    messages: [...older.slice(older.length - olderTake), ...newer.slice(0, newerTake)],
    hasMore: older.length > olderTake,
    hasMoreAfter: newer.length > newerTake,
  };
}
