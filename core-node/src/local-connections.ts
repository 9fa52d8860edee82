import type { Route } from "@dim/infra";
import { CloseCode } from "@dim/shared";
import type { ClientConnection } from "./client-connection";

/**
 * The sockets this node holds: all of them, and the authenticated ones by user. A user's one
 * socket (the usual case) is stored as itself; a Set only once a user holds several.
 */
export class LocalConnections {
  private readonly all = new Set<ClientConnection>();
  private readonly byUser = new Map<string, ClientConnection | Set<ClientConnection>>();
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
    const held = this.byUser.get(userId);
    if (held === undefined) {
      this.byUser.set(userId, conn);
    } else if (held instanceof Set) {
      if (held.has(conn)) return;
      held.add(conn);
    } else {
      if (held === conn) return;
      this.byUser.set(userId, new Set([held, conn]));
    }
    this.bound++;
  }

  /** Forgets the socket; true when it was bound to a user. */
  remove(conn: ClientConnection): boolean {
    this.all.delete(conn);
    const userId = conn.userId;
    if (userId === undefined) return false;
    const held = this.byUser.get(userId);
    if (held instanceof Set) {
      if (!held.delete(conn)) return false;
      if (held.size === 1) this.byUser.set(userId, held.values().next().value!);
    } else {
      if (held !== conn) return false;
      this.byUser.delete(userId);
    }
    this.bound--;
    return true;
  }

  /** True while this node holds an authenticated socket of the user. */
  hasUser(userId: string): boolean {
    return this.byUser.has(userId);
  }

  ofUser(userId: string): Iterable<ClientConnection> {
    const held = this.byUser.get(userId);
    if (held === undefined) return [];
    return held instanceof Set ? held : [held];
  }

  /** Closes this node's sockets of one gateway session (it ended: logout). */
  closeSession(userId: string, sessionId: string): number {
    let closed = 0;
    for (const conn of [...this.ofUser(userId)]) {
      if (conn.sessionId !== sessionId) continue;
      conn.close(CloseCode.SessionEnded, "the session ended (logged out, or the account was disabled)");
      closed++;
    }
    return closed;
  }

  list(): ClientConnection[] {
    return [...this.all];
  }

  routes(nodeId: string): Route[] {
    const routes: Route[] = [];
    for (const [userId, held] of this.byUser) {
      if (held instanceof Set) for (const conn of held) routes.push({ userId, nodeId, connectionId: conn.id });
      else routes.push({ userId, nodeId, connectionId: held.id });
    }
    return routes;
  }

  /** Lets every socket check its deadlines at `now` (see ClientConnection.checkDeadlines). */
  sweep(now: number): void {
    for (const conn of this.all) conn.checkDeadlines(now);
  }
}
