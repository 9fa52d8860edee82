/**
 * groups.rename, groups.setRole and groups.transferOwnership: changes that keep the members (the
 * membership_seq does not move); every active member hears `changed`.
 */
import { AppError, ErrorCode } from "@dim/shared";
import { appendSystemMessage } from "./append-system-message";
import { requireManager, requireNotSelf, requireOwner } from "./group-roles";
import { commitGroupChange, type GroupContext } from "./group-transaction";
import { activeMember, activeMemberIds } from "./load-group-for-update";

export function renameGroup(ctx: GroupContext, me: string, input: { conversationId: string; title: string }) {
  return commitGroupChange(ctx, me, input.conversationId, async (tx, group) => {
    requireManager(group.myRole, "rename the group");
    if (input.title === group.title) throw new AppError(ErrorCode.Conflict, "the group already has this title");
    const systemMessage = await appendSystemMessage(tx, group.id, me, { type: "group.renamed", title: input.title });
    await tx.$executeRaw`UPDATE conversations SET title = ${input.title} WHERE id = ${group.id}::uuid`;
    return { output: { seq: systemMessage.seq }, systemMessage, added: [], changed: await activeMemberIds(tx, group.id), removed: [] };
  });
}

export function setRole(ctx: GroupContext, me: string, input: { conversationId: string; userId: string; role: "admin" | "member" }) {
  return commitGroupChange(ctx, me, input.conversationId, async (tx, group) => {
    requireOwner(group.myRole, "change roles");
    requireNotSelf(me, input.userId, "to hand the group over, use groups.transferOwnership");
    const target = await activeMember(tx, group.id, input.userId);
    if (target.role === input.role) throw new AppError(ErrorCode.Conflict, `this member is already ${input.role === "admin" ? "an admin" : "a plain member"}`);
    const systemMessage = await appendSystemMessage(tx, group.id, me, { type: "role.changed", userId: target.userId, role: input.role });
    await tx.$executeRaw`
      UPDATE conversation_members SET role = ${input.role}::member_role
      WHERE conversation_id = ${group.id}::uuid AND user_id = ${target.userId}::uuid`;
    return { output: { seq: systemMessage.seq }, systemMessage, added: [], changed: await activeMemberIds(tx, group.id), removed: [] };
  });
}

export function transferOwnership(ctx: GroupContext, me: string, input: { conversationId: string; userId: string }) {
  return commitGroupChange(ctx, me, input.conversationId, async (tx, group) => {
    requireOwner(group.myRole, "hand the group over");
    requireNotSelf(me, input.userId, "you are the owner already");
    const target = await activeMember(tx, group.id, input.userId);
    const systemMessage = await appendSystemMessage(tx, group.id, me, { type: "owner.transferred", userId: target.userId });
    await tx.$executeRaw`
      UPDATE conversation_members SET role = CASE WHEN user_id = ${target.userId}::uuid THEN 'owner'::member_role ELSE 'admin'::member_role END
      WHERE conversation_id = ${group.id}::uuid AND user_id IN (${target.userId}::uuid, ${me}::uuid)`;
    return { output: { seq: systemMessage.seq }, systemMessage, added: [], changed: await activeMemberIds(tx, group.id), removed: [] };
  });
}
