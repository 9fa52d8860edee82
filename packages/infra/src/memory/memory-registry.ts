// In-process registry (live nodes, epochs, fencing of an older registration of the same id).
import { AppError, ErrorCode } from "@dim/shared";
import { normalRates } from "../message-rates";
import type { MessageRates, NodeInfo, Registration, Registry } from "../types";
import type { MemoryHub } from "./memory-hub";

class MemoryRegistration implements Registration {
  private lost = false;
  private done = false;
  private readonly listeners: Array<() => void> = [];

  constructor(
    private readonly hub: MemoryHub,
    private readonly nodeId: string,
    readonly epoch: number,
  ) {}

  setConnections(count: number): void {
    const entry = this.hub.nodes.get(this.nodeId);
    if (entry && entry.info.epoch === this.epoch) entry.info.connections = Math.max(0, Math.floor(count));
  }

  setMessageRates(rates: MessageRates): void {
    const entry = this.hub.nodes.get(this.nodeId);
    if (entry && entry.info.epoch === this.epoch) entry.info.messageRates = normalRates(rates);
  }

  async setDraining(): Promise<void> {
    const entry = this.hub.nodes.get(this.nodeId);
    if (entry && entry.info.epoch === this.epoch) entry.info.draining = true;
  }

  onLost(listener: () => void): void {
    if (this.done && !this.lost) return;
    if (this.lost) queueMicrotask(listener);
    else this.listeners.push(listener);
  }

  /** @internal */
  lose(): void {
    if (this.lost || this.done) return;
    this.lost = true;
    this.done = true;
    for (const listener of this.listeners.splice(0)) {
      // Asynchronously, as a session-expiry callback would arrive.
      queueMicrotask(() => {
        try {
          listener();
        } catch (err) {
          this.hub.logger.error({ err, nodeId: this.nodeId }, "onLost listener threw");
        }
      });
    }
  }

  async deregister(): Promise<void> {
    if (this.done) return;
    this.done = true;
    this.listeners.length = 0;
    const entry = this.hub.nodes.get(this.nodeId);
    // Compare-and-delete: never remove a newer registration of the same node id.
    if (entry && entry.info.epoch === this.epoch) this.hub.nodes.delete(this.nodeId);
  }
}

/**
 * In-process registry. Registering a node id that is already live fences the older
 * registration: it leaves the live set and its onLost listeners fire (as with a newer epoch).
 */
export class MemoryRegistry implements Registry {
  private readonly registrations = new Set<MemoryRegistration>();
  private closed = false;

  constructor(private readonly hub: MemoryHub) {}

  async register(info: Omit<NodeInfo, "epoch" | "connections">): Promise<Registration> {
    if (this.closed) throw new AppError(ErrorCode.Internal, "registry is closed");
    const epoch = ++this.hub.lastEpoch;
    const registration = new MemoryRegistration(this.hub, info.nodeId, epoch);
    const previous = this.hub.nodes.get(info.nodeId);
    this.hub.nodes.set(info.nodeId, {
      info: { ...info, epoch, connections: 0, messageRates: { inPerSec: 0, outPerSec: 0 } },
      lose: () => registration.lose(),
    });
    previous?.lose();
    this.registrations.add(registration);
    return registration;
  }

  async liveNodes(): Promise<NodeInfo[]> {
    return [...this.hub.nodes.values()]
      .map((e) => ({ ...e.info }))
      .sort((a, b) => a.nodeId.localeCompare(b.nodeId));
  }

  /** Deregisters what this handle registered (a graceful stop). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.registrations].map((r) => r.deregister()));
    this.registrations.clear();
  }
}
