import { chunkRoutedCursors, encodeNodeEnvelope, routeGroupCursorMoves } from "@dim/shared";
import { publishToUsers } from "@dim/infra";
import type { GatewayServices } from "../context";

/**
 * Tells the nodes holding the members' connections that `userId` read up to `seq`, so senders
 * see "read" without waiting for a sync. The reader's own other connections are told too (their
 * unread counts follow). A direct conversation's receipt goes as `receipt` to the nodes holding
 * the members; a group's is addressed as the nodes' own coalesced receipts are (to the authors
 * of the messages the read passed, and the reader: group-receipt-routing.ts) and goes as one
 * `receipts.group` record per live node. Best effort: the
 * cursor is already stored; a lost receipt is repaired by the next conversations.list / welcome.
 * Resolves once the bus acknowledged (failures are logged); returns the nodes published to.
 */
export async function publishReadReceipt(
  services: Pick<GatewayServices, "store" | "bus" | "presence" | "registry" | "logger">,
  receipt: { conversationId: string; userId: string; seq: number; /** the read cursor before this move */ previous: number },
): Promise<number> {
  const { bus, presence, store } = services;
  if (!bus || !presence) return 0;
  const logger = services.logger.child({ conversationId: receipt.conversationId });
  const membership = await store.membership(receipt.conversationId);
  if (membership === null) return 0;
  if (membership.kind === "group") {
    const windows = new Map(membership.members.map((m) => [m.userId, m]));
    const routed = await routeGroupCursorMoves(
      // a read moves delivered too: both are at least seq
      [{ userId: receipt.userId, deliveredFrom: receipt.seq, deliveredSeq: receipt.seq, readFrom: receipt.previous, readSeq: receipt.seq }],
      { sendersIn: (ranges) => store.sendersIn(receipt.conversationId, ranges), windowOf: (userId) => windows.get(userId) },
    );
    if (routed.length === 0) return 0;
    const nodes = (await services.registry.liveNodes()).map((n) => n.nodeId);
    for (const cursors of chunkRoutedCursors(routed)) {
      const { key, payload } = encodeNodeEnvelope({ type: "receipts.group", conversationId: receipt.conversationId, cursors });
      await Promise.all(
        nodes.map((nodeId) =>
          bus.publish(nodeId, key, payload).catch((err: unknown) => logger.warn({ err, targetNodeId: nodeId }, "bus publish failed; members will sync")),
        ),
      );
    }
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
