/**
 * The other live nodes, for fan-out by node (groups): the registry's live list, reused for
 * `ttlMs` (one registry read per TTL, however many messages), plus every node heard announcing
 * new connections (`routes.changed`), added at once. A node welcomes new sockets only after each
 * peer handled its announcement, so a socket welcomed before a message is committed is on a node
 * this list names (a heard node is kept for two TTLs even if the registry has not caught up). A node that died stays listed until the next refresh: its records are lost
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
  /**
   * Nodes heard announcing, and when: kept through the refreshes of the next two TTLs, since a
   * registry read (or a watch-fed registry cache) may lag behind a registration it follows.
   */
  private readonly heardAt = new Map<string, number>();
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
    this.heardAt.delete(nodeId);
    this.heardAt.set(nodeId, this.now());
  }

  private async refresh(): Promise<void> {
    try {
      const self = this.deps.nodeId();
      const live = (await this.deps.registry.liveNodes()).map((n) => n.nodeId).filter((id) => id !== self);
      const now = this.now();
      for (const [id, at] of this.heardAt) if (now - at > 2 * this.deps.ttlMs) this.heardAt.delete(id);
      this.peers = new Set([...live, ...this.heardAt.keys()]);
      this.loadedAt = now;
    } catch (err) {
      this.deps.logger.warn({ err }, "cannot list live nodes; group fan-out uses the last known list");
    } finally {
      this.loading = undefined;
    }
  }
}
