/**
 * The messages a chat view shows: what the live client holds (with real states), preceded by
 * pages fetched from the gateway's history that the client does not hold (opened before the
 * socket is up, or paged back while offline).
 */
import type { ChatMessage } from "@dim/client";
import type { Message } from "@dim/shared";
import { ownState } from "./conversation-view";

export interface PeerCursors {
  peersDeliveredSeq: number;
  peersReadSeq: number;
}

/** A history message as the chat view shows it. */
export function historyMessage(m: Message, meId: string, cursors: PeerCursors): ChatMessage {
  const own = m.senderId === meId;
  return {
    clientMsgId: m.clientMsgId,
    conversationId: m.conversationId,
    id: m.id,
    seq: m.seq,
    senderId: m.senderId,
    own,
    kind: m.kind,
    body: m.body,
    createdAt: m.createdAt,
    state: own ? ownState(cursors, m.seq) : null,
    error: null,
  };
}

/** History older than the lowest stored message the client holds, then the client's messages. */
export function mergeMessages(held: readonly ChatMessage[], history: readonly ChatMessage[]): readonly ChatMessage[] {
  let lowestHeld = Infinity;
  for (const m of held) if (m.seq !== null && m.seq < lowestHeld) lowestHeld = m.seq;
  const older = history.filter((m) => m.seq !== null && m.seq < lowestHeld);
  return older.length > 0 ? [...older, ...held] : held;
}

/** Lowest seq shown (for "Load earlier"), or null when nothing stored is shown. */
export function lowestSeq(messages: readonly ChatMessage[]): number | null {
  let lowest: number | null = null;
  for (const m of messages) if (m.seq !== null && (lowest === null || m.seq < lowest)) lowest = m.seq;
  return lowest;
}

/** Highest stored seq among these messages (0 when none). */
export function highestSeq(messages: readonly ChatMessage[]): number {
  let highest = 0;
  for (const m of messages) if (m.seq !== null && m.seq > highest) highest = m.seq;
  return highest;
}
