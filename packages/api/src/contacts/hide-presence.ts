/**
 * After a block: the blocked user's devices are told the blocker is offline, with no last seen
 * (what they would see of a contact who hides last seen and left). Presence changes never reach
 * them after it (watchersOf leaves blocked pairs out), so without this they would keep the last
 * state they saw. A presence push, not a contact one: nothing tells them of the block itself.
 */
import type { PublicUser } from "@dim/shared";
import { publishToUsers } from "@dim/infra";
import type { Context } from "../context";

export async function hidePresenceFrom(ctx: Pick<Context, "bus" | "presence" | "log">, blocker: PublicUser, blockedId: string): Promise<void> {
  if (!ctx.bus || !ctx.presence) return;
  const fanOut = await publishToUsers({
    bus: ctx.bus,
    routes: ctx.presence,
    userIds: [blockedId],
    envelope: (recipients) => ({
      type: "presence",
      from: "gateway",
      updates: recipients.map((to) => ({ to, contacts: [{ userId: blocker.id, online: false, lastSeenAt: null }] })),
    }),
    logger: ctx.log,
  });
  await fanOut.acknowledged;
}
