/**
 * What the contact search shows for each person the gateway's `users.search` found: already a
 * contact, asked by us, asking us, or someone to add.
 */
import { Limits, searchUsersInput, type Contact, type ContactRequest, type PublicUser } from "@dim/shared";

/** Wait after the last keystroke before asking the gateway. */
export const SEARCH_DEBOUNCE_MS = 250;
/** Results asked for (the gateway allows up to Limits.maxSearchResults). */
export const SEARCH_LIMIT = Math.min(8, Limits.maxSearchResults);

export type Relation =
  | { kind: "contact"; conversationId: string }
  | { kind: "requested" }
  | { kind: "incoming"; requestId: string }
  | { kind: "none" };

export interface SearchRow {
  user: PublicUser;
  relation: Relation;
}

/** The valid search input for what was typed, or null (empty, or too long: nothing to ask). */
export function searchQueryOf(typed: string): { query: string; limit: number } | null {
  const parsed = searchUsersInput.safeParse({ query: typed, limit: SEARCH_LIMIT });
  return parsed.success ? { query: parsed.data.query, limit: parsed.data.limit } : null;
}

export function searchRows(
  users: PublicUser[],
  known: { contacts: Contact[]; incoming: ContactRequest[]; outgoing: ContactRequest[] },
): SearchRow[] {
  const contacts = new Map(known.contacts.map((c) => [c.user.id, c.conversationId]));
  const asked = new Set(known.outgoing.filter((r) => r.status === "pending").map((r) => r.to.id));
  const asking = new Map(known.incoming.filter((r) => r.status === "pending").map((r) => [r.from.id, r.id]));
  return users.map((user): SearchRow => {
    const conversationId = contacts.get(user.id);
    if (conversationId !== undefined) return { user, relation: { kind: "contact", conversationId } };
    const requestId = asking.get(user.id);
    if (requestId !== undefined) return { user, relation: { kind: "incoming", requestId } };
    if (asked.has(user.id)) return { user, relation: { kind: "requested" } };
    return { user, relation: { kind: "none" } };
  });
}
