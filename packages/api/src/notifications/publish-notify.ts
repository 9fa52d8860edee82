/**
 * After a settings or mute change: the user's sockets on every node hear it (`notify` envelope →
 * `notify.settings` / `mute` frame), so all of their devices agree at once. Best effort: the
 * change is committed; a device that misses the frame reads it at its next conversations.list /
 * notifications.settings.
 */
import { publishToUsers } from "@dim/infra";
import type { NotifyFrame } from "@dim/shared";
import type { Context } from "../context";

export async function publishNotify(ctx: Context, userId: string, frame: NotifyFrame): Promise<void> {
  if (!ctx.bus || !ctx.presence) return;
  const fanOut = await publishToUsers({
    bus: ctx.bus,
    routes: ctx.presence,
    userIds: [userId],
    envelope: () => ({ type: "notify", userId, frame }),
    logger: ctx.log,
  });
  await fanOut.acknowledged;
}
