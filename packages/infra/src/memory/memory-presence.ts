// In-process presence (leases per user and connection, compare-and-delete release).
import { AppError, ErrorCode } from "@dim/shared";
import { assertTtl } from "../lease-ttl";
import { checkCappedClaim } from "../socket-cap";
import type { Presence, Route } from "../types";
import type { MemoryHub } from "./memory-hub";

/** In-process presence: one lease per (user, connection), compare-and-delete on release. */
export class MemoryPresence implements Presence {
  private closed = false;

  constructor(private readonly hub: MemoryHub) {}

  async claim(routes: Route[], ttlMs: number): Promise<void> {
    this.assertOpen();
    assertTtl(ttlMs);
    const expiresAt = Date.now() + ttlMs;
    for (const route of routes) this.setLease(route, expiresAt);
  }

  private setLease(route: Route, expiresAt: number): void {
    let byConn = this.hub.leases.get(route.userId);
    if (!byConn) this.hub.leases.set(route.userId, (byConn = new Map()));
    byConn.set(route.connectionId, { nodeId: route.nodeId, expiresAt });
  }

  async claimCapped(routes: Route[], maxPerUser: number, ttlMs: number): Promise<boolean[]> {
    this.assertOpen();
    checkCappedClaim(routes, maxPerUser, ttlMs);
    const now = Date.now();
    // One synchronous pass: nothing else runs in between, so count-then-set is atomic here.
    return routes.map((route) => {
      const byConn = this.hub.leases.get(route.userId);
      let live = 0;
      for (const [connectionId, lease] of byConn ?? []) if (connectionId !== route.connectionId && lease.expiresAt > now) live++;
      if (live >= maxPerUser) return false;
      this.setLease(route, now + ttlMs);
      return true;
    });
  }

  async release(routes: Route[]): Promise<void> {
    this.assertOpen();
    for (const route of routes) {
      const byConn = this.hub.leases.get(route.userId);
      const lease = byConn?.get(route.connectionId);
      if (!byConn || !lease || lease.nodeId !== route.nodeId) continue;
      byConn.delete(route.connectionId);
      if (byConn.size === 0) this.hub.leases.delete(route.userId);
    }
  }

  async routesOf(userIds: string[]): Promise<Route[]> {
    this.assertOpen();
    const now = Date.now();
    const routes: Route[] = [];
    for (const userId of new Set(userIds)) {
      const byConn = this.hub.leases.get(userId);
      if (!byConn) continue;
      for (const [connectionId, lease] of byConn) {
        if (lease.expiresAt <= now) byConn.delete(connectionId);
        else routes.push({ userId, nodeId: lease.nodeId, connectionId });
      }
      if (byConn.size === 0) this.hub.leases.delete(userId);
    }
    return routes;
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private assertOpen(): void {
    if (this.closed) throw new AppError(ErrorCode.Internal, "presence is closed");
  }
}
