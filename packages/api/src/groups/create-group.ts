/**
 * groups.create: a new group owned by the caller, with initial members from the caller's
 * contacts, and its first message (seq 1) `group.created` — all in one transaction.
 */
import { randomUUID } from "node:crypto";
import type { ConversationSummary } from "@dim/shared";
import { listConversations } from "../conversations/list-conversations";
import { requireContacts, requireRoomForUsers, requireRoomInGroup } from "./group-admission";
import { requireNotSelf } from "./group-roles";
import { announceOutcome, throttleGroupWrites, type GroupContext } from "./group-transaction";
import { appendSystemMessage } from "./append-system-message";

export async function createGroup(
  ctx: GroupContext,
  me: string,
  input: { title: string; memberIds: string[] },
): Promise<{ conversation: ConversationSummary }> {
  for (const id of input.memberIds) requireNotSelf(me, id, "you are the group's owner: list the others");
  requireRoomInGroup(1, input.memberIds.length, ctx.config.groupMaxMembers);
  await throttleGroupWrites(ctx, me);
  const conversationId = randomUUID();
  const outcome = await ctx.prisma.$transaction(async (tx) => {
    await requireContacts(tx, me, input.memberIds);
    await requireRoomForUsers(tx, [me, ...input.memberIds], ctx.config.groupsPerUserMax);
    await tx.conversation.create({ data: { id: conversationId, kind: "group", title: input.title, createdBy: me } });
    const systemMessage = await appendSystemMessage(tx, conversationId, me, {
      type: "group.created",
      title: input.title,
      memberIds: input.memberIds,
    });
    await tx.conversationMember.createMany({
      data: [
        { conversationId, userId: me, role: "owner", joinedSeq: systemMessage.seq },
        ...input.memberIds.map((userId) => ({ conversationId, userId, role: "member" as const, joinedSeq: systemMessage.seq })),
      ],
    });
    const [conversation] = await listConversations(tx, me, { conversationId });
    if (!conversation) throw new Error("a group just created is not listed for its owner");
    return { output: { conversation }, systemMessage, added: [me, ...input.memberIds], changed: [], removed: [] };
  });
  await announceOutcome(ctx, conversationId, 0, outcome);
  return outcome.output;
}
