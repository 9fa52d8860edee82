import type { BusEnvelope } from "@dim/infra";
import type { GatewayServices } from "../context";

/**
 * Tells the nodes holding the members' connections that `userId` read up to `seq`, so senders
 * see "read" without waiting for a sync. The reader's own other connections are told too (their
 * unread counts follow). Best effort: the cursor is already stored; a lost receipt is repaired by
 * the next conversations.list / welcome.
 */
export async function publishReadReceipt(
  services: Pick<GatewayServices, "store" | "bus" | "presence" | "logger">,
  receipt: { conversationId: string; userId: string; seq: number },
): Promise<number> {
  const { bus, presence, store } = services;
  if (!bus || !presence) return 0;
  const members = (await store.members(receipt.conversationId)) ?? [];
  const routes = await presence.routesOf(members);
  const byNode = new Map<string, Set<string>>();
  for (const route of routes) {
    let users = byNode.get(route.nodeId);
    if (!users) byNode.set(route.nodeId, (users = new Set()));
    users.add(route.userId);
  }
  await Promise.all(
    [...byNode].map(async ([nodeId, users]) => {
      const envelope: BusEnvelope = {
        type: "receipt",
        conversationId: receipt.conversationId,
        userId: receipt.userId,
        kind: "read",
        seq: receipt.seq,
        recipients: [...users],
      };
      try {
        await bus.publish(nodeId, envelope);
      } catch (err) {
        services.logger.warn({ err, nodeId, conversationId: receipt.conversationId }, "read receipt not published");
      }
    }),
  );
  return byNode.size;
}
