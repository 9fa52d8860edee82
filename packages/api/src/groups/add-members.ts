/**
 * groups.addMembers: owner or admin adds contacts of theirs; a former member comes back with a
 * new window starting at this change's seq (its earlier span becomes invisible to it). The whole
 * call is refused when any id breaks a rule.
 */
import { AppError, ErrorCode } from "@dim/shared";
import type { Tx } from "../db";
import { appendSystemMessage } from "./append-system-message";
import { requireContacts, requireRoomForUsers, requireRoomInGroup } from "./group-admission";
import { requireManager } from "./group-roles";
import { commitGroupChange, type GroupContext } from "./group-transaction";
import { activeMemberIds, memberRows } from "./load-group-for-update";

/** Inserts new members and re-opens former ones at `seq`, cursors just before it (nothing older is theirs to read). */
async function admit(tx: Tx, conversationId: string, userIds: string[], seq: number): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO conversation_members (conversation_id, user_id, role, joined_seq, delivered_seq, read_seq)
    SELECT ${conversationId}::uuid, u, 'member', ${seq}, ${seq - 1}, ${seq - 1} FROM unnest(${userIds}::uuid[]) AS u
    ON CONFLICT (conversation_id, user_id) DO UPDATE SET
      role = 'member', joined_seq = EXCLUDED.joined_seq, joined_at = now(),
      left_seq = NULL, left_at = NULL, left_reason = NULL, removed_by = NULL,
      delivered_seq = GREATEST(conversation_members.delivered_seq, EXCLUDED.delivered_seq),
      read_seq = GREATEST(conversation_members.read_seq, EXCLUDED.read_seq)
    WHERE conversation_members.left_seq IS NOT NULL`;
}

export function addMembers(ctx: GroupContext, me: string, input: { conversationId: string; userIds: string[] }) {
  return commitGroupChange(ctx, me, input.conversationId, async (tx, group) => {
    requireManager(group.myRole, "add members");
    const rows = await memberRows(tx, group.id, input.userIds);
    const already = input.userIds.filter((id) => rows.get(id)?.leftSeq === null);
    if (already.length > 0) throw new AppError(ErrorCode.Conflict, "already members of this group", { userIds: already });
    await requireContacts(tx, me, input.userIds);
    requireRoomInGroup(group.activeCount, input.userIds.length, ctx.config.groupMaxMembers);
    await requireRoomForUsers(tx, input.userIds, ctx.config.groupsPerUserMax);
    const before = await activeMemberIds(tx, group.id);
    const systemMessage = await appendSystemMessage(tx, group.id, me, { type: "members.added", userIds: input.userIds });
    await admit(tx, group.id, input.userIds, systemMessage.seq);
    return {
      output: { seq: systemMessage.seq, added: input.userIds },
      systemMessage,
      added: input.userIds,
      changed: before,
      removed: [],
    };
  });
}
