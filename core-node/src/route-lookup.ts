/**
 * Coalesces presence lookups: every `routesOf` asked while one lookup is being prepared (the same
 * turn of the event loop) goes to the presence store as ONE call for the union of the users, and
 * each caller gets the routes of its own users. Under load this turns one query per message (and
 * per receipt) into one per batch; when idle it costs a setImmediate.
 */
import type { Presence, Route } from "@dim/infra";

/** Most distinct users in one lookup; a larger union is split over several calls. */
const MAX_BATCH_USERS = 1000;

interface Waiter {
  userIds: string[];
  resolve: (routes: Route[]) => void;
  reject: (err: unknown) => void;
}

export class RouteLookup {
  private waiters: Waiter[] = [];
  private users = new Set<string>();
  private scheduled = false;

  constructor(private readonly presence: Pick<Presence, "routesOf">) {}

  routesOf(userIds: string[]): Promise<Route[]> {
    if (userIds.length === 0) return Promise.resolve([]);
    return new Promise<Route[]>((resolve, reject) => {
      if (this.users.size + userIds.length > MAX_BATCH_USERS) this.flush();
      this.waiters.push({ userIds, resolve, reject });
      for (const u of userIds) this.users.add(u);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    const waiters = this.waiters;
    const users = [...this.users];
    this.waiters = [];
    this.users = new Set();
    this.scheduled = false;
    if (waiters.length === 0) return;
    let lookup: Promise<Route[]>;
    try {
      lookup = this.presence.routesOf(users);
    } catch (err) {
      lookup = Promise.reject(err);
    }
    lookup.then(
      (routes) => {
        const byUser = new Map<string, Route[]>();
        for (const r of routes) {
          let list = byUser.get(r.userId);
          if (!list) byUser.set(r.userId, (list = []));
          list.push(r);
        }
        for (const w of waiters) w.resolve(w.userIds.flatMap((u) => byUser.get(u) ?? []));
      },
      (err: unknown) => {
        for (const w of waiters) w.reject(err);
      },
    );
  }
}
