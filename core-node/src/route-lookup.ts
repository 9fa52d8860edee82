/**
 * Coalesces presence lookups: the `routesOf` calls of one event-loop turn go to the presence store
 * as ONE call for the union of their users (each caller gets the routes of its own users), and
 * while a lookup is in flight the calls wait and form the next one (natural batching). Under load
 * this turns one query per message (and per receipt) into one per presence round trip; when idle
 * it costs a setImmediate.
 */
import { NaturalBatcher } from "@dim/db";
import type { Presence, Route } from "@dim/infra";

/** Most distinct users in one lookup; a larger union is split over several calls. */
const MAX_BATCH_USERS = 1000;
/** Most callers in one lookup. */
const MAX_BATCH_CALLERS = 1000;

export class RouteLookup {
  private readonly batcher: NaturalBatcher<string[], Route[]>;

  constructor(private readonly presence: Pick<Presence, "routesOf">) {
    this.batcher = new NaturalBatcher((lists) => this.lookup(lists), {
      maxItems: MAX_BATCH_CALLERS,
      sizeOf: (userIds) => userIds.length,
      maxSize: MAX_BATCH_USERS,
      collect: "turn",
    });
  }

  routesOf(userIds: string[]): Promise<Route[]> {
    if (userIds.length === 0) return Promise.resolve([]);
    return this.batcher.submit(userIds);
  }

  private async lookup(lists: string[][]): Promise<Array<{ value: Route[] }>> {
    const routes = await this.presence.routesOf([...new Set(lists.flat())]);
    const byUser = new Map<string, Route[]>();
    for (const r of routes) {
      let list = byUser.get(r.userId);
      if (!list) byUser.set(r.userId, (list = []));
      list.push(r);
    }
    return lists.map((userIds) => ({ value: userIds.flatMap((u) => byUser.get(u) ?? []) }));
  }
}
