import type { Route } from "@dim/infra";
import type { ClientConnection } from "./client-connection";

/** The sockets this node holds: all of them, and the authenticated ones by user. */
export class LocalConnections {
  private readonly all = new Set<ClientConnection>();
  private readonly byUser = new Map<string, Set<ClientConnection>>();
  private bound = 0;

  /** Every socket, authenticated or not. */
  get size(): number {
    return this.all.size;
  }

  /** Sockets bound to a user (what the registry reports as load). */
  get authenticatedCount(): number {
    return this.bound;
  }

  add(conn: ClientConnection): void {
    this.all.add(conn);
  }

  bind(conn: ClientConnection, userId: string): void {
    let set = this.byUser.get(userId);
    if (!set) this.byUser.set(userId, (set = new Set()));
    if (!set.has(conn)) this.bound++;
    set.add(conn);
  }

  /** Forgets the socket; true when it was bound to a user. */
  remove(conn: ClientConnection): boolean {
    this.all.delete(conn);
    const userId = conn.userId;
    if (userId === undefined) return false;
    const set = this.byUser.get(userId);
    if (!set?.delete(conn)) return false;
    this.bound--;
    if (set.size === 0) this.byUser.delete(userId);
    return true;
  }

  ofUser(userId: string): Iterable<ClientConnection> {
    return this.byUser.get(userId) ?? [];
  }

  list(): ClientConnection[] {
    return [...this.all];
  }

  routes(nodeId: string): Route[] {
    const routes: Route[] = [];
    for (const [userId, set] of this.byUser) {
      for (const conn of set) routes.push({ userId, nodeId, connectionId: conn.id });
    }
    return routes;
  }
}
