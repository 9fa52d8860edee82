/**
 * The client library's group additions (packages/client: `system`, `receipts`, the `membership`
 * event, `loadMemberCursors`), read where present: the web compiles and works (with less detail)
 * against a client that does not have them yet.
 */
import type { ChatMessage, DimClient } from "@dim/client";
import type { ConversationSummary, SystemEvent } from "@dim/shared";

/** "Delivered to / read by k of n" for an own group message. */
export interface GroupReceipts {
  delivered: number;
  read: number;
  of: number;
}

export interface MembershipEvent {
  conversationId: string;
  event: "added" | "changed" | "removed";
  summary?: ConversationSummary;
}

/** The event of a system message (null for any other message, or when the client omits it). */
export function systemOf(message: ChatMessage): SystemEvent | null {
  return (message as { system?: SystemEvent | null }).system ?? null;
}

export function receiptsOf(message: ChatMessage): GroupReceipts | null {
  return (message as { receipts?: GroupReceipts | null }).receipts ?? null;
}

/** The payload of the client's `membership` event, or null for anything else. */
export function membershipEventOf(payload: unknown): MembershipEvent | null {
  if (typeof payload !== "object" || payload === null) return null;
  const p = payload as Partial<MembershipEvent>;
  return typeof p.conversationId === "string" ? (p as MembershipEvent) : null;
}

/** Asks the client for the members' cursors of a group just opened (receipts start right). */
export function loadMemberCursors(client: DimClient, conversationId: string): Promise<void> {
  const load = (client as { loadMemberCursors?: (id: string) => Promise<void> }).loadMemberCursors;
  return load ? load.call(client, conversationId) : Promise.resolve();
}
