import { publishToUsers } from "@dim/infra";
import type { GatewayServices } from "../context";

/**
 * Tells the nodes holding the members' connections that `userId` read up to `seq`, so senders
 * see "read" without waiting for a sync. The reader's own other connections are told too (their
 * unread counts follow). Best effort: the cursor is already stored; a lost receipt is repaired by
 * the next conversations.list / welcome. Resolves once the bus acknowledged (failures are logged).
 */
export async function publishReadReceipt(
  services: Pick<GatewayServices, "store" | "bus" | "presence" | "logger">,
  receipt: { conversationId: string; userId: string; seq: number },
): Promise<number> {
  const { bus, presence, store } = services;
  if (!bus || !presence) return 0;
  const members = (await store.members(receipt.conversationId)) ?? [];
  const fanOut = await publishToUsers({
    bus,
    routes: presence,
    userIds: members,
    envelope: (recipients) => ({ type: "receipt", conversationId: receipt.conversationId, userId: receipt.userId, kind: "read", seq: receipt.seq, recipients }),
    logger: services.logger.child({ conversationId: receipt.conversationId }),
  });
  await fanOut.acknowledged;
  return fanOut.nodes;
}
