/**
 * After a profile change (display name, status line, avatar): a `profile` frame to the user's own
 * devices and to every contact's (none to a contact either side blocked), so open clients redraw
 * without a reload. Best effort; a device that was offline reads the lists on reconnect.
 */
import type { PublicUser } from "@dim/shared";
import { noBlockBetween, Prisma } from "@dim/db";
import type { Context } from "../context";
import { announceContacts } from "./contact-events";

export async function announceProfile(ctx: Pick<Context, "prisma" | "contactEvents" | "log">, user: PublicUser): Promise<void> {
  const rows = await ctx.prisma.$queryRaw<Array<{ id: string }>>`
    SELECT c.owner_id::text AS id FROM contacts c
    WHERE c.peer_id = ${user.id}::uuid AND ${Prisma.raw(noBlockBetween("c.owner_id", "c.peer_id"))}`;
  await announceContacts(ctx.contactEvents, ctx.log, [{ to: [user.id, ...rows.map((r) => r.id)], event: "profile", user }]);
}
