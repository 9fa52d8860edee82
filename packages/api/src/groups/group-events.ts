/**
 * The one seam through which the gateway tells the core nodes that a conversation's membership
 * or settings changed (GroupEvents). The gateway calls `changed` once per committed change; the
 * core-node side (bus publishing) implements it. Contract:
 *
 * - Called AFTER the transaction committed, once per change, never for a refused call. Calls for
 *   one conversation may overlap or arrive out of order when two requests change it at once:
 *   `membershipSeq` and `systemMessage.seq` order them.
 * - Best effort: the change is committed and the caller's answer does not depend on it. An
 *   implementation should not throw; if it does, the gateway logs a warning and answers anyway.
 *   Whatever it loses, sync (the system message is in the seq stream), `welcome` cursors and
 *   `conversations.list` repair.
 * - The three user sets are disjoint, and together they are everyone who must hear of it:
 *   `added` (became active members: push `conversation added`), `changed` (were and still are
 *   active members: push `conversation changed`), `removed` (stopped being active members, by
 *   leaving or being removed: push `conversation removed`). Every one of them may see
 *   `systemMessage` (its seq is in their window: a removed member sees its own removal and
 *   nothing after), so it is fanned out to all three sets like any message of the conversation.
 * - `membershipSeq` is the conversation's membership_seq after the change (what store appends
 *   return from then on); nodes drop cached member lists older than it (`members.changed`). For
 *   a rename or a role change it did not move.
 */
import type { Message } from "@dim/shared";
import type { Logger } from "@dim/shared/node";

export interface GroupChange {
  conversationId: string;
  kind: "direct" | "group";
  membershipSeq: number;
  /**
   * The system message recording the change (kind "system", already committed). null only for
   * a direct conversation created by contacts.accept (no system message: both users are `added`).
   */
  systemMessage: Message | null;
  added: string[];
  changed: string[];
  removed: string[];
}

export interface GroupEvents {
  changed(change: GroupChange): Promise<void>;
}

/** For a gateway without a bus (nobody to tell): changes are only committed. */
export const NO_GROUP_EVENTS: GroupEvents = {
  async changed() {},
};

/** Calls `events.changed` after a commit; logs (never throws) when it fails. */
export async function announceGroupChange(events: GroupEvents, logger: Logger, change: GroupChange): Promise<void> {
  try {
    await events.changed(change);
  } catch (err) {
    logger.warn({ err, conversationId: change.conversationId, seq: change.systemMessage?.seq }, "group change not announced; sync repairs");
  }
}
