/**
 * Fan-out to users' nodes: given users, where their connections are (a routes lookup) and the
 * bus, publish one envelope per node that holds any of them, naming that node's users. Shared
 * by core nodes (receipts, 1:1 deliveries; their cached RouteLookup) and the gateway (read
 * receipts from markRead; presence directly). Best effort: the message or cursor is stored
 * before; what a fan-out loses, sync repairs.
 */
import { encodeNodeEnvelope, type NodeEnvelope } from "@dim/shared";
import type { Logger } from "@dim/shared/node";
import type { Bus, Route } from "../types";

export interface PublishToUsers {
  bus: Pick<Bus, "publish">;
  /** The node's cached lookup, or presence itself. */
  routes: { routesOf(userIds: string[]): Promise<Route[]> };
  userIds: string[];
  /** The envelope for one node, given the users of `userIds` connected there. */
  envelope: (recipients: string[]) => NodeEnvelope;
  /** The publishing node's own id: its connections were served from memory. */
  exceptNodeId?: string;
  logger: Logger;
}

export interface FanOut {
  /** Nodes an envelope was published to. */
  nodes: number;
  /** Settles once the bus acknowledged (or refused: logged) every envelope. Never rejects. */
  acknowledged: Promise<void>;
}

/**
 * Looks the routes up and hands one envelope per node to the bus, in node order of the routes;
 * resolves once they are handed over (not acknowledged), so calls made one after another reach
 * the bus in call order. A failed lookup or publish is logged, never thrown.
 */
export async function publishToUsers(opts: PublishToUsers): Promise<FanOut> {
  const byNode = new Map<string, Set<string>>();
  try {
    for (const route of await opts.routes.routesOf(opts.userIds)) {
      if (route.nodeId === opts.exceptNodeId) continue;
      let users = byNode.get(route.nodeId);
      if (!users) byNode.set(route.nodeId, (users = new Set()));
      users.add(route.userId);
    }
  } catch (err) {
    opts.logger.warn({ err }, "presence lookup failed; remote recipients will sync");
    return { nodes: 0, acknowledged: Promise.resolve() };
  }
  const acks: Array<Promise<void>> = [];
  for (const [nodeId, users] of byNode) {
    let published: Promise<void>;
    try {
      const envelope = opts.envelope([...users]);
      const { key, payload } = encodeNodeEnvelope(envelope);
      published = opts.bus.publish(nodeId, key, payload);
    } catch (err) {
      published = Promise.reject(err);
    }
    acks.push(
      published.catch((err: unknown) => {
        opts.logger.warn({ err, targetNodeId: nodeId }, "bus publish failed; recipients will sync");
      }),
    );
  }
  return { nodes: byNode.size, acknowledged: Promise.all(acks).then(() => undefined) };
}
