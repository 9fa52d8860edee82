/**
 * groups.removeMember and groups.leave: the member's row stays, its window closes at the system
 * message that records it (which it still sees). The owner leaves only when alone.
 */
import { AppError, ErrorCode } from "@dim/shared";
import type { Tx } from "../db";
import { appendSystemMessage } from "./append-system-message";
import { requireMayRemove, requireNotSelf } from "./group-roles";
import { commitGroupChange, type GroupContext } from "./group-transaction";
import { activeMember, activeMemberIds } from "./load-group-for-update";

async function close(tx: Tx, conversationId: string, userId: string, seq: number, removedBy: string | null): Promise<void> {
  const reason = removedBy === null ? "left" : "removed";
  await tx.$executeRaw`
    UPDATE conversation_members
    SET left_seq = ${seq}, left_at = now(), left_reason = ${reason}::member_left_reason, removed_by = ${removedBy}::uuid
    WHERE conversation_id = ${conversationId}::uuid AND user_id = ${userId}::uuid AND left_seq IS NULL`;
}

export function removeMember(ctx: GroupContext, me: string, input: { conversationId: string; userId: string }) {
  requireNotSelf(me, input.userId, "use groups.leave");
  return commitGroupChange(ctx, me, input.conversationId, async (tx, group) => {
    const target = await activeMember(tx, group.id, input.userId);
    requireMayRemove(group.myRole, target.role);
    const systemMessage = await appendSystemMessage(tx, group.id, me, { type: "member.removed", userId: target.userId });
    await close(tx, group.id, target.userId, systemMessage.seq, me);
    const remaining = await activeMemberIds(tx, group.id);
    return { output: { seq: systemMessage.seq }, systemMessage, added: [], changed: remaining, removed: [target.userId] };
  });
}

export function leaveGroup(ctx: GroupContext, me: string, input: { conversationId: string }) {
  return commitGroupChange(ctx, me, input.conversationId, async (tx, group) => {
    if (group.myRole === "owner" && group.activeCount > 1) {
      throw new AppError(ErrorCode.Conflict, "the owner cannot leave while others remain: transfer ownership first");
    }
    const systemMessage = await appendSystemMessage(tx, group.id, me, { type: "member.left" });
    await close(tx, group.id, me, systemMessage.seq, null);
    const remaining = await activeMemberIds(tx, group.id);
    return { output: { seq: systemMessage.seq }, systemMessage, added: [], changed: remaining, removed: [me] };
  });
}
