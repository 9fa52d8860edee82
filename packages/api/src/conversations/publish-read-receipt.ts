import { encodeNodeEnvelope } from "@dim/shared";
import { publishToUsers } from "@dim/infra";
import type { GatewayServices } from "../context";

/**
 * Tells the nodes holding the members' connections that `userId` read up to `seq`, so senders
 * see "read" without waiting for a sync. The reader's own other connections are told too (their
 * unread counts follow). A direct conversation's receipt goes as `receipt` to the nodes holding
 * the members; a group's as one `receipts.group` record per live node (each node pushes one
 * `receipts` frame per member socket), as the nodes' own coalesced receipts do. Best effort: the
 * cursor is already stored; a lost receipt is repaired by the next conversations.list / welcome.
 * Resolves once the bus acknowledged (failures are logged); returns the nodes published to.
 */
export async function publishReadReceipt(
  services: Pick<GatewayServices, "store" | "bus" | "presence" | "registry" | "logger">,
  receipt: { conversationId: string; userId: string; seq: number },
): Promise<number> {
  const { bus, presence, store } = services;
  if (!bus || !presence) return 0;
  const logger = services.logger.child({ conversationId: receipt.conversationId });
  const membership = await store.membership(receipt.conversationId);
  if (membership === null) return 0;
  if (membership.kind === "group") {
    const nodes = (await services.registry.liveNodes()).map((n) => n.nodeId);
    const { key, payload } = encodeNodeEnvelope({
      type: "receipts.group",
      conversationId: receipt.conversationId,
      // a read moves delivered too: both are at least seq
      cursors: [{ userId: receipt.userId, deliveredSeq: receipt.seq, readSeq: receipt.seq }],
    });
    await Promise.all(
      nodes.map((nodeId) =>
        bus.publish(nodeId, key, payload).catch((err: unknown) => logger.warn({ err, targetNodeId: nodeId }, "bus publish failed; members will sync")),
      ),
    );
    return nodes.length;
  }
  const fanOut = await publishToUsers({
    bus,
    routes: presence,
    userIds: membership.members.filter((m) => m.leftSeq === null).map((m) => m.userId),
    envelope: (recipients) => ({ type: "receipt", conversationId: receipt.conversationId, userId: receipt.userId, kind: "read", seq: receipt.seq, recipients }),
    logger,
  });
  await fanOut.acknowledged;
  return fanOut.nodes;
}
