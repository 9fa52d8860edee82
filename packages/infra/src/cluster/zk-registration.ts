/**
 * One registration of a node in ZooKeeper: its ephemeral znode, load reports rate-limited to one
 * versioned write per `updateMs` (only the owner writes), and the onLost listeners fired when the
 * session expires or someone else changed the znode (the node must then fence itself).
 */
import type { Logger } from "@dim/shared/node";
import { TokenBucket } from "@dim/shared/async";
import { normalRates } from "../message-rates";
import type { MessageRates, NodeInfo, Registration } from "../types";
import { ZK_BAD_VERSION, ZK_NO_NODE, zkCode, type ZkSession } from "./zk-session";

export class ZkRegistration implements Registration {
  private connections = 0;
  private rates: MessageRates = { inPerSec: 0, outPerSec: 0 };
  /** The load (connections and rates) as last written, to skip writes that change nothing. */
  private written = loadKey(0, { inPerSec: 0, outPerSec: 0 });
  private draining = false;
  private version: number;
  /** One load write per `updateMs` (the first at once). */
  private readonly writes: TokenBucket;
  private timer: NodeJS.Timeout | undefined;
  private writing = false;
  private lost = false;
  private deregistering: Promise<void> | undefined;
  private readonly listeners: Array<() => void> = [];

  constructor(
    private readonly registry: { forget(registration: ZkRegistration): void },
    private readonly session: ZkSession,
    readonly generation: number,
    private readonly info: NodeInfo,
    private readonly path: string,
    private readonly epochPath: string,
    version: number,
    updateMs: number,
    private readonly log: Logger,
  ) {
    this.version = version;
    this.writes = new TokenBucket(1000 / updateMs, 1);
  }

  get epoch(): number {
    return this.info.epoch;
  }

  setConnections(count: number): void {
    this.connections = Math.max(0, Math.floor(count));
    this.schedule();
  }

  setMessageRates(rates: MessageRates): void {
    this.rates = normalRates(rates);
    this.schedule();
  }

  private get load(): string {
    return loadKey(this.connections, this.rates);
  }

  private schedule(): void {
    if (this.lost || this.deregistering || this.timer) return;
    const wait = this.writes.msUntilToken();
    this.timer = setTimeout(() => void this.flush(), wait);
    this.timer.unref();
  }

  private async flush(): Promise<void> {
    this.timer = undefined;
    if (this.lost || this.deregistering || this.load === this.written) return;
    if (this.writing) {
      this.schedule();
      return;
    }
    this.writing = true;
    this.writes.take();
    try {
      await this.write();
    } catch (err) {
      if (!this.loseOnConflict(err)) this.log.warn({ err }, "could not report the load to ZooKeeper");
    } finally {
      this.writing = false;
    }
    if (this.load !== this.written && !this.lost && !this.deregistering) this.schedule();
  }

  /** One versioned write of the znode's data (only the owner writes, so a conflict means fenced). */
  private async write(): Promise<void> {
    const load = this.load;
    const data = Buffer.from(
      JSON.stringify({ ...this.info, connections: this.connections, messageRates: this.rates, ...(this.draining ? { draining: true } : {}) }),
    );
    const stat = await this.session.setData(this.path, data, this.version);
    this.version = stat.version;
    this.written = load;
  }

  private loseOnConflict(err: unknown): boolean {
    const code = zkCode(err);
    if (code !== ZK_BAD_VERSION && code !== ZK_NO_NODE) return false;
    this.lose(`registration znode ${code === ZK_NO_NODE ? "is gone" : "was changed by someone else"}`);
    return true;
  }

  /** Written at once, past the load-report rate limit: assignments must stop now. */
  async setDraining(): Promise<void> {
    if (this.draining || this.lost || this.deregistering) return;
    this.draining = true;
    // One writer at a time keeps the znode version in step: wait for a load write in flight.
    while (this.writing) await new Promise((r) => setTimeout(r, 5));
    if (this.lost || this.deregistering) return;
    this.writing = true;
    try {
      await this.write();
    } catch (err) {
      if (!this.loseOnConflict(err)) throw err;
    } finally {
      this.writing = false;
    }
  }

  onLost(listener: () => void): void {
    if (this.lost) queueMicrotask(listener);
    else if (!this.deregistering) this.listeners.push(listener);
  }

  /** @internal */
  lose(reason: string): void {
    if (this.lost || this.deregistering) return;
    this.lost = true;
    clearTimeout(this.timer);
    this.registry.forget(this);
    this.log.warn({ reason }, "registration lost: the node must stop taking work");
    for (const listener of this.listeners.splice(0)) {
      try {
        listener();
      } catch (err) {
        this.log.error({ err }, "onLost listener threw");
      }
    }
  }

  deregister(): Promise<void> {
    this.deregistering ??= (async () => {
      clearTimeout(this.timer);
      this.listeners.length = 0;
      this.registry.forget(this);
      if (this.lost || this.session.current !== this.generation) return; // the session took it
      try {
        await this.session.remove(this.path, this.version);
      } catch (err) {
        const code = zkCode(err);
        if (code !== ZK_NO_NODE && code !== ZK_BAD_VERSION) this.log.warn({ err }, "deregister failed; the znode goes with the session");
      }
      await this.session.remove(this.epochPath).catch(() => undefined);
      this.log.info("node deregistered");
    })();
    return this.deregistering;
  }
}

function loadKey(connections: number, rates: MessageRates): string {
  return `${connections}|${rates.inPerSec}|${rates.outPerSec}`;
}
