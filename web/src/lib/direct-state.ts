import type { PublicUser } from "@dim/shared";

/**
 * Whether I may write in a direct conversation, as the server decides it (protocol
 * contacts.remove / contacts.block): "open"; "blocked" (I blocked the peer); "removed" (we are no
 * longer contacts); "deleted" (the peer deleted their account). A peer who blocked me is "open"
 * here: nothing tells me, and my sends fail as a stranger's would. Until the contact lists are
 * loaded, "open" (the server refuses what it must anyway).
 */
export type DirectState = "open" | "blocked" | "removed" | "deleted";

/** Deleted accounts are renamed `deleted_<24 hex>` (account.delete). */
const DELETED_USERNAME = /^deleted_[0-9a-f]{24}$/;

export function directStateOf(peer: PublicUser, lists: { loaded: boolean; contactIds: ReadonlySet<string>; blockedIds: ReadonlySet<string> }): DirectState {
  if (DELETED_USERNAME.test(peer.username)) return "deleted";
  if (!lists.loaded) return "open";
  if (lists.blockedIds.has(peer.id)) return "blocked";
  if (!lists.contactIds.has(peer.id)) return "removed";
  return "open";
}
