/**
 * Keeps the other nodes' route caches (route-lookup.ts) honest when this node leases new
 * connections: `announce` publishes `routes.changed` for those users to every other live node
 * and waits until each has dropped them from its cache and answered `routes.ack`. The node
 * welcomes the new sockets only after that, so a message committed after a socket's welcome is
 * looked up afresh by whichever node fans it out.
 *
 * A peer that does not answer within `ackTimeoutMs` (dead, fenced, its bus stalled, or an older
 * version) is logged and from then on not waited for, until it answers an announcement again:
 * a dead node, still listed until its registration expires, must not hold up every connect. For
 * such a peer the guarantee weakens to "its cache entries expire after the cache TTL"; pushes it
 * misses are repaired by sync, as for any lost doorbell.
 */
import { randomUUID } from "node:crypto";
import { encodeNodeEnvelope, type NodeEnvelopeOf } from "@dim/shared";
import type { Logger } from "@dim/shared/node";
import type { Bus, Registry } from "@dim/infra";
import type { RouteLookup } from "./route-lookup";

export interface RouteChangesDeps {
  nodeId: () => string;
  bus: Pick<Bus, "publish">;
  registry: Pick<Registry, "liveNodes">;
  routes: Pick<RouteLookup, "invalidate">;
  logger: Logger;
  /** How long an announcement waits for each peer's ack. */
  ackTimeoutMs: number;
}

interface Waiting {
  peers: Set<string>;
  done: () => void;
}

type RouteEnvelope = NodeEnvelopeOf<"routes.changed" | "routes.ack">;

export class RouteChanges {
  private readonly waiting = new Map<string, Waiting>();
  /** Peers that missed an ack deadline; not waited for until they answer again. */
  private readonly unresponsive = new Set<string>();

  constructor(private readonly deps: RouteChangesDeps) {}

  /**
   * Tells every other live node that these users have new routes here; resolves once the
   * responsive ones acknowledged (or after the timeout). Never throws: failures are logged.
   */
  async announce(userIds: string[]): Promise<void> {
    if (userIds.length === 0) return;
    const self = this.deps.nodeId();
    this.deps.routes.invalidate(userIds);
    let peers: string[];
    try {
      peers = (await this.deps.registry.liveNodes()).map((n) => n.nodeId).filter((id) => id !== self);
    } catch (err) {
      this.deps.logger.warn({ err }, "cannot list live nodes; route caches elsewhere will expire instead");
      return;
    }
    if (peers.length === 0) return;
    const ref = randomUUID();
    const { key, payload } = encodeNodeEnvelope({ type: "routes.changed", from: self, ref, userIds });
    const awaited = new Set(peers.filter((p) => !this.unresponsive.has(p)));
    const acked = new Promise<void>((resolve) => {
      if (awaited.size === 0) resolve();
      else this.waiting.set(ref, { peers: awaited, done: resolve });
    });
    for (const peer of peers) {
      this.deps.bus.publish(peer, key, payload).catch((err: unknown) => {
        this.deps.logger.warn({ err, peer }, "route announcement not published; not waiting for this peer until it answers again");
        this.unresponsive.add(peer);
        this.settle(ref, peer);
      });
    }
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), this.deps.ackTimeoutMs)));
    const outcome = await Promise.race([acked, timedOut]);
    clearTimeout(timer);
    this.waiting.delete(ref);
    if (outcome === "timeout") {
      const late = [...awaited].filter((p) => !this.unresponsive.has(p));
      for (const p of late) this.unresponsive.add(p);
      if (late.length > 0) {
        this.deps.logger.warn({ peers: late, timeoutMs: this.deps.ackTimeoutMs }, "peers did not acknowledge a route announcement; not waiting for them until they do");
      }
    }
  }

  /** A route envelope from the bus (either direction). */
  async onEnvelope(envelope: RouteEnvelope): Promise<void> {
    if (envelope.type === "routes.changed") {
      this.deps.routes.invalidate(envelope.userIds);
      const ack = encodeNodeEnvelope({ type: "routes.ack", from: this.deps.nodeId(), ref: envelope.ref });
      this.deps.bus.publish(envelope.from, ack.key, ack.payload).catch((err: unknown) => {
        this.deps.logger.warn({ err, peer: envelope.from }, "route ack not published");
      });
      return;
    }
    if (this.unresponsive.delete(envelope.from)) this.deps.logger.info({ peer: envelope.from }, "peer acknowledges route announcements again");
    this.settle(envelope.ref, envelope.from);
  }

  private settle(ref: string, peer: string): void {
    const w = this.waiting.get(ref);
    if (!w || !w.peers.delete(peer)) return;
    if (w.peers.size === 0) {
      this.waiting.delete(ref);
      w.done();
    }
  }
}
