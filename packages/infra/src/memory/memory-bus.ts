/**
 * In-process bus. Delivery is asynchronous (never inside publish's call stack) and ordered per
 * key per target node; different keys may interleave.
 *
 * Publishing to a node with no subscriber resolves and the record is dropped: the bus is only
 * the doorbell, PostgreSQL already holds the message and the recipient's client fetches it by
 * sync when it (re)connects. Same rule as the embedded PostgreSQL bus.
 */
import { AppError, ErrorCode } from "@dim/shared";
import { KeyedSerialQueue } from "@dim/shared/async";
import { assertBusRecord } from "../bus-record";
import type { Bus, BusHandler } from "../types";
import type { MemoryHub } from "./memory-hub";

export class MemoryBus implements Bus {
  private readonly subscribed = new Set<string>();
  private closed = false;

  constructor(private readonly hub: MemoryHub) {}

  async subscribe(nodeId: string, handler: BusHandler): Promise<void> {
    if (this.closed) throw new AppError(ErrorCode.Internal, "bus is closed");
    const existing = this.hub.inboxes.get(nodeId);
    if (existing) {
      // One consumer per inbox: a re-subscription (for example after re-registering) replaces it.
      existing.closed = true;
      this.hub.logger.warn({ nodeId }, "bus inbox re-subscribed; previous handler replaced");
    }
    this.hub.inboxes.set(nodeId, { handler, owner: this, queue: new KeyedSerialQueue(), closed: false });
    this.subscribed.add(nodeId);
  }

  async publish(targetNodeId: string, key: string, payload: string): Promise<void> {
    if (this.closed) throw new AppError(ErrorCode.Internal, "bus is closed");
    assertBusRecord(key, payload);
    if (!this.hub.enqueue(targetNodeId, key, payload)) {
      this.hub.logger.debug({ targetNodeId, key }, "no subscriber; record left for sync");
    }
  }

  /** Drops the node's inbox: pending records for it are discarded (clients sync). */
  async removeInbox(nodeId: string): Promise<void> {
    const inbox = this.hub.inboxes.get(nodeId);
    if (inbox) {
      inbox.closed = true;
      this.hub.inboxes.delete(nodeId);
    }
    this.subscribed.delete(nodeId);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const nodeId of this.subscribed) {
      const inbox = this.hub.inboxes.get(nodeId);
      if (inbox?.owner === this) {
        inbox.closed = true;
        this.hub.inboxes.delete(nodeId);
      }
    }
    this.subscribed.clear();
  }
}
