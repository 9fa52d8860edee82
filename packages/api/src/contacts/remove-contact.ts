/**
 * contacts.remove: both contact rows go (a contact is mutual); the direct conversation and its
 * history stay, readable by both and read-only for both (the store answers READ_ONLY) until one
 * asks the other again with contacts.request and it is accepted. Both users' devices are told
 * (`removed`), and presence stops between them (it follows contacts). Idempotent: removing
 * someone who is not a contact changes nothing.
 */
import { toPublicUser } from "../auth/session";
import type { Context } from "../context";
import { lockKey } from "../db";
import { directKey } from "./accept-in-tx";
import { announceContacts } from "./contact-events";
import { contactPeer } from "./contact-peer";

export async function removeContact(ctx: Context, me: string, peerId: string): Promise<void> {
  const peer = await contactPeer(ctx.prisma, me, peerId, "remove");
  const outcome = await ctx.prisma.$transaction(async (tx) => {
    await lockKey(tx, directKey(me, peer.id));
    const contact = await tx.contact.findUnique({ where: { ownerId_peerId: { ownerId: me, peerId: peer.id } } });
    if (!contact) return null;
    // The conversation row locked: appends to it are ordered before or after the removal.
    await tx.$queryRaw`SELECT 1 AS locked FROM conversations WHERE id = ${contact.conversationId}::uuid FOR NO KEY UPDATE`;
    await tx.contact.deleteMany({ where: { OR: [{ ownerId: me, peerId: peer.id }, { ownerId: peer.id, peerId: me }] } });
    return { conversationId: contact.conversationId, self: toPublicUser(await tx.user.findUniqueOrThrow({ where: { id: me } })) };
  });
  if (!outcome) return;
  ctx.log.info({ peerId: peer.id, conversationId: outcome.conversationId }, "contact removed");
  await announceContacts(
    ctx.contactEvents,
    ctx.log,
    [
      { to: [me], event: "removed", user: peer },
      { to: [peer.id], event: "removed", user: outcome.self },
    ],
    outcome.conversationId,
  );
}
