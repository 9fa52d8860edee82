// The shared in-process state behind several nodes' memory bus, registry and presence handles.
import type { Logger } from "@dim/shared/node";
import { createLogger } from "@dim/shared/node";
import { KeyedSerialQueue } from "@dim/shared/async";
import type { BusHandler, NodeInfo } from "../types";
import { MemoryRateStore } from "./memory-rates";

/** One node's inbox: its handler and one delivery chain per record key (like a Kafka partition key). */
export interface MemoryInbox {
  handler: BusHandler;
  /** The handle that subscribed it, so closing one handle does not drop another's inbox. */
  owner: object;
  queue: KeyedSerialQueue;
  closed: boolean;
}

export interface MemoryNodeEntry {
  info: NodeInfo;
  /** Fires the registration's onLost listeners (at most once). */
  lose: () => void;
}

export interface MemoryLease {
  nodeId: string;
  expiresAt: number;
}

/**
 * The shared state behind several in-process bus / registry / presence handles: the same role
 * socket.io's in-memory adapter plays in its multi-node tests. Create one hub per test (or per
 * process), then `createMemoryInfra(hub)` once per simulated node.
 *
 * Everything here is a real implementation of the contracts in ../types — not a mock — only
 * bounded by one process. Time is read with Date.now(), so vitest fake timers drive lease expiry.
 */
export class MemoryHub {
  readonly logger: Logger;
  /** @internal */ readonly inboxes = new Map<string, MemoryInbox>();
  /** @internal */ readonly nodes = new Map<string, MemoryNodeEntry>();
  /** @internal */ readonly leases = new Map<string, Map<string, MemoryLease>>();
  /** The token buckets every handle on this hub shares (never closed: the hub lives as long as its process). */
  readonly rates = new MemoryRateStore();
  /** @internal */ lastEpoch = 0;

  constructor(opts: { logger?: Logger } = {}) {
    this.logger = opts.logger ?? createLogger("infra-memory");
  }

  /** @internal Queues a record on a node's inbox; false when nobody consumes that inbox. */
  enqueue(targetNodeId: string, key: string, payload: string): boolean {
    const inbox = this.inboxes.get(targetNodeId);
    if (!inbox) return false;
    // Payloads are strings: sender and receiver never share a mutable object, as with a real bus.
    void inbox.queue.push(key, async () => {
      if (inbox.closed) return;
      try {
        await inbox.handler(payload);
      } catch (err) {
        // Like a consumer that logs and moves on: PostgreSQL holds the message; clients sync.
        this.logger.error({ err, nodeId: targetNodeId, key }, "bus handler failed");
      }
    });
    return true;
  }

  /**
   * Test helper: the node's registration is lost as if its ZooKeeper session or embedded lease
   * expired. It leaves the live set and its onLost listeners fire. No-op for an unknown node.
   */
  expireNode(nodeId: string): void {
    const entry = this.nodes.get(nodeId);
    if (!entry) return;
    this.nodes.delete(nodeId);
    entry.lose();
  }

  /** Resolves when every record queued so far has been handled (useful to settle tests). */
  async drain(): Promise<void> {
    while ([...this.inboxes.values()].some((i) => i.queue.size > 0)) {
      await Promise.all([...this.inboxes.values()].map((i) => i.queue.drain()));
    }
  }
}
