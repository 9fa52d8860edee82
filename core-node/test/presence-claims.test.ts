/**
 * Presence claims of concurrent connects go out together: one Presence.claim call for the routes
 * of one event-loop turn, the next call with everything that came while it was in flight, and
 * each waiter gets the outcome of the call that carried its route.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { MemoryHub, MemoryPresence, type Route } from "@dim/infra";
import { PresenceClaims } from "../src/presence-claims";

/** A real in-memory presence that records each claim call and can hold it open. */
class RecordingPresence extends MemoryPresence {
  readonly calls: Route[][] = [];
  gate: Promise<void> | undefined;
  failNext: Error | undefined;

  override async claim(routes: Route[], ttlMs: number): Promise<void> {
    this.calls.push(routes);
    await this.gate;
    const err = this.failNext;
    this.failNext = undefined;
    if (err) throw err;
    await super.claim(routes, ttlMs);
  }
}

const route = (): Route => ({ userId: randomUUID(), nodeId: "node-a", connectionId: randomUUID() });

describe("PresenceClaims", () => {
  it("claims the routes of one turn in one call, and those that came meanwhile in the next", async () => {
    const presence = new RecordingPresence(new MemoryHub());
    const claims = new PresenceClaims(presence, 30_000);
    let open!: () => void;
    presence.gate = new Promise((r) => (open = r));

    const first = Array.from({ length: 50 }, route);
    const firstDone = Promise.all(first.map((r) => claims.claim(r)));
    await new Promise((r) => setImmediate(r));
    expect(presence.calls).toHaveLength(1);
    expect(presence.calls[0]).toEqual(first);

    // while the first call is in flight
    const second = Array.from({ length: 30 }, route);
    const secondDone = Promise.all(second.map((r) => claims.claim(r)));
    await new Promise((r) => setImmediate(r));
    expect(presence.calls).toHaveLength(1);

    presence.gate = undefined;
    open();
    await firstDone;
    await secondDone;
    expect(presence.calls).toHaveLength(2);
    expect(presence.calls[1]).toEqual(second);
    const live = await presence.routesOf([...first, ...second].map((r) => r.userId));
    expect(live).toHaveLength(80);
  });

  it("a failed call rejects only the claims it carried; the next ones go through", async () => {
    const presence = new RecordingPresence(new MemoryHub());
    const claims = new PresenceClaims(presence, 30_000);
    presence.failNext = new Error("presence down");
    const failed = [route(), route()];
    const results = await Promise.allSettled(failed.map((r) => claims.claim(r)));
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    expect(await presence.routesOf(failed.map((r) => r.userId))).toEqual([]);

    const ok = route();
    await claims.claim(ok);
    expect(await presence.routesOf([ok.userId])).toEqual([ok]);
  });

  it("splits a burst larger than the batch limit over several calls", async () => {
    const presence = new RecordingPresence(new MemoryHub());
    const claims = new PresenceClaims(presence, 30_000, 10);
    await Promise.all(Array.from({ length: 25 }, () => claims.claim(route())));
    expect(presence.calls.map((c) => c.length)).toEqual([10, 10, 5]);
  });
});
