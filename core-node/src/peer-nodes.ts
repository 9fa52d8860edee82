/**
 * The other live nodes, for fan-out by node (groups): the registry's live list, reused for
 * `ttlMs` (one registry read per TTL, however many messages), plus every node heard announcing
 * new connections (`routes.changed`), added at once. A node welcomes new sockets only after each
 * peer handled its announcement, so a socket welcomed before a message is committed is on a node
 * this list names. A node that died stays listed until the next refresh: its records are lost
 * doorbells, as any (sync repairs).
 */
import type { Logger } from "@dim/shared/node";
import type { Registry } from "@dim/infra";

export interface PeerNodesDeps {
  nodeId: () => string;
  registry: Pick<Registry, "liveNodes">;
  ttlMs: number;
  logger: Logger;
  now?: () => number;
}

export class PeerNodes {
  private peers = new Set<string>();
  /** Heard while a registry read is in flight (that read may predate their registration). */
  private heardMeanwhile = new Set<string>();
  private loadedAt = Number.NEGATIVE_INFINITY;
  private loading: Promise<void> | undefined;
  private readonly now: () => number;

  constructor(private readonly deps: PeerNodesDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Live nodes other than this one. Never throws: a failed registry read keeps the last list. */
  async list(): Promise<string[]> {
    if (this.now() - this.loadedAt >= this.deps.ttlMs) await (this.loading ??= this.refresh());
    return [...this.peers];
  }

  /** `nodeId` announced new connections: it is live, whatever the cached list says. */
  heard(nodeId: string): void {
    if (nodeId === this.deps.nodeId()) return;
    this.peers.add(nodeId);
    if (this.loading) this.heardMeanwhile.add(nodeId);
  }

  private async refresh(): Promise<void> {
    try {
      const self = this.deps.nodeId();
      const live = (await this.deps.registry.liveNodes()).map((n) => n.nodeId).filter((id) => id !== self);
      this.peers = new Set([...live, ...this.heardMeanwhile]);
      this.loadedAt = this.now();
    } catch (err) {
      this.deps.logger.warn({ err }, "cannot list live nodes; group fan-out uses the last known list");
    } finally {
      this.heardMeanwhile = new Set();
      this.loading = undefined;
    }
  }
}
