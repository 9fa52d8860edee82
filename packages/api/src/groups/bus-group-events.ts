/**
 * GroupEvents over the bus: how a committed membership or group change reaches the core nodes.
 * For each change, in this order (one bus key, the conversation id, so each node sees them in
 * this order):
 *
 * 1. `members.changed` to every live node (their cached member lists are dropped);
 * 2. the system message as `deliver.group` to every live node, exactly like a member's group
 *    message: each node pushes it to its sockets of the members whose window holds its seq,
 *    which includes a removed or leaving member (its window ends at that seq);
 * 3. `conversation` frames to the nodes holding the affected users (presence): `added` to new
 *    members, `changed` to the remaining ones, `removed` to those who left or were removed. No
 *    summary: the client re-reads `conversations.list` (one summary per recipient would cost a
 *    query per user, and a frame per user per node).
 *
 * A direct conversation from contacts.accept has no system message: both users get `added`.
 * Best effort (the change is committed; sync and conversations.list repair what is lost):
 * resolves once the bus acknowledged every record, failures logged, never throws.
 */
import { encodeNodeEnvelope, NodeLimits, type ConversationFrame, type NodeEnvelope } from "@dim/shared";
import type { Logger } from "@dim/shared/node";
import { publishToUsers, type Bus, type Presence, type Registry } from "@dim/infra";
import type { GroupChange, GroupEvents } from "./group-events";

export interface BusGroupEventsDeps {
  bus: Pick<Bus, "publish">;
  registry: Pick<Registry, "liveNodes">;
  presence: Pick<Presence, "routesOf">;
  logger: Logger;
}

export function busGroupEvents(deps: BusGroupEventsDeps): GroupEvents {
  return {
    async changed(change) {
      const log = deps.logger.child({ conversationId: change.conversationId });
      const acks: Array<Promise<void>> = [];
      if (change.kind === "group") {
        const nodes = await liveNodeIds(deps, log);
        acks.push(publishToAll(deps, log, nodes, { type: "members.changed", conversationId: change.conversationId, membershipSeq: change.membershipSeq }));
        if (change.systemMessage) {
          acks.push(
            publishToAll(deps, log, nodes, {
              type: "deliver.group",
              conversationId: change.conversationId,
              membershipSeq: change.membershipSeq,
              message: change.systemMessage,
            }),
          );
        }
      }
      for (const event of ["added", "changed", "removed"] as const) {
        const userIds = change[event];
        const frame: ConversationFrame = { type: "conversation", event, conversationId: change.conversationId };
        for (let i = 0; i < userIds.length; i += NodeLimits.maxEnvelopeUsers) {
          const fanOut = await publishToUsers({
            bus: deps.bus,
            routes: deps.presence,
            userIds: userIds.slice(i, i + NodeLimits.maxEnvelopeUsers),
            envelope: (recipients) => ({ type: "conversation", userIds: recipients, frame }),
            logger: log,
          });
          acks.push(fanOut.acknowledged);
        }
      }
      await Promise.all(acks);
    },
  };
}

export async function liveNodeIds(deps: Pick<BusGroupEventsDeps, "registry">, log: Logger): Promise<string[]> {
  try {
    return (await deps.registry.liveNodes()).map((n) => n.nodeId);
  } catch (err) {
    log.warn({ err }, "cannot list live nodes; members will learn of the change by sync");
    return [];
  }
}

/** One record per node, encoded once; resolves when all were acknowledged (failures logged). */
export function publishToAll(deps: Pick<BusGroupEventsDeps, "bus">, log: Logger, nodes: string[], envelope: NodeEnvelope): Promise<void> {
  const { key, payload } = encodeNodeEnvelope(envelope);
  return Promise.all(
    nodes.map((nodeId) =>
      deps.bus.publish(nodeId, key, payload).catch((err: unknown) => {
        log.warn({ err, targetNodeId: nodeId, type: envelope.type }, "bus publish failed; members there will sync");
      }),
    ),
  ).then(() => undefined);
}
