import { describe, expect, it } from "vitest";
import type { Route } from "@dim/infra";
import { RouteLookup } from "../src/route-lookup";

const route = (userId: string, nodeId: string): Route => ({ userId, nodeId, connectionId: `${userId}@${nodeId}` });

describe("RouteLookup", () => {
  it("answers concurrent lookups with one presence call, each with its own users' routes", async () => {
    const calls: string[][] = [];
    const all = [route("a", "n1"), route("a", "n2"), route("b", "n1"), route("c", "n3")];
    const lookup = new RouteLookup(
      {
        routesOf: async (ids) => {
          calls.push([...ids].sort());
          return all.filter((r) => ids.includes(r.userId));
        },
      },
      { ttlMs: 0 },
    );
    const [ab, bc, none] = await Promise.all([lookup.routesOf(["a", "b"]), lookup.routesOf(["b", "c"]), lookup.routesOf(["z"])]);
    expect(calls).toEqual([["a", "b", "c", "z"]]);
    expect(ab).toEqual([route("a", "n1"), route("a", "n2"), route("b", "n1")]);
    expect(bc).toEqual([route("b", "n1"), route("c", "n3")]);
    expect(none).toEqual([]);
    // A later lookup is a new batch.
    await lookup.routesOf(["c"]);
    expect(calls).toHaveLength(2);
  });

  it("sends a turn's lookups as one call and batches the ones asked while it is in flight", async () => {
    const calls: string[][] = [];
    let release!: () => void;
    const lookup = new RouteLookup(
      {
        routesOf: async (ids) => {
          calls.push([...ids].sort());
          if (calls.length === 1) await new Promise<void>((resolve) => (release = resolve));
          return ids.map((u) => route(u, "n1"));
        },
      },
      { ttlMs: 0 },
    );
    const first = lookup.routesOf(["a"]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toEqual([["a"]]);
    const later = [lookup.routesOf(["b"]), lookup.routesOf(["c", "b"])];
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toHaveLength(1);
    release();
    expect(await first).toEqual([route("a", "n1")]);
    expect(await Promise.all(later)).toEqual([[route("b", "n1")], [route("c", "n1"), route("b", "n1")]]);
    expect(calls).toEqual([["a"], ["b", "c"]]);
  });

  it("splits a union larger than 1000 users over several calls", async () => {
    const sizes: number[] = [];
    const lookup = new RouteLookup(
      {
        routesOf: async (ids) => {
          sizes.push(ids.length);
          return ids.map((u) => route(u, "n1"));
        },
      },
      { ttlMs: 0 },
    );
    const lists = Array.from({ length: 3 }, (_, i) => Array.from({ length: 600 }, (_, j) => `u${i}-${j}`));
    const results = await Promise.all(lists.map((l) => lookup.routesOf(l)));
    expect(sizes).toEqual([600, 600, 600]);
    expect(results.map((r) => r.length)).toEqual([600, 600, 600]);
  });

  it("rejects every waiter of a failed batch, and the next batch works again", async () => {
    let fail = true;
    const lookup = new RouteLookup(
      {
        routesOf: async (ids) => {
          if (fail) throw new Error("presence down");
          return ids.map((u) => route(u, "n1"));
        },
      },
      { ttlMs: 0 },
    );
    const results = await Promise.allSettled([lookup.routesOf(["a"]), lookup.routesOf(["b"])]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    fail = false;
    expect(await lookup.routesOf(["a"])).toEqual([route("a", "n1")]);
    expect(await lookup.routesOf([])).toEqual([]);
  });

  describe("cache", () => {
    function counting(routesOf: (ids: string[]) => Route[]) {
      const calls: string[][] = [];
      let clock = 0;
      const gate: { hold?: Promise<void> } = {};
      const lookup = new RouteLookup(
        {
          routesOf: async (ids) => {
            calls.push([...ids].sort());
            await gate.hold;
            return routesOf(ids);
          },
        },
        { ttlMs: 1000, maxUsers: 3, now: () => clock },
      );
      return { lookup, calls, gate, tick: (ms: number) => (clock += ms) };
    }

    it("answers from the cache until the entry expires, including users with no routes", async () => {
      const { lookup, calls, tick } = counting((ids) => ids.filter((u) => u !== "off").map((u) => route(u, "n1")));
      expect(await lookup.routesOf(["a", "off"])).toEqual([route("a", "n1")]);
      tick(999);
      expect(await lookup.routesOf(["off", "a"])).toEqual([route("a", "n1")]);
      expect(calls).toEqual([["a", "off"]]);
      // Only the missing user is looked up; the cached one is answered as before.
      expect(await lookup.routesOf(["a", "b"])).toEqual([route("a", "n1"), route("b", "n1")]);
      expect(calls).toEqual([["a", "off"], ["b"]]);
      tick(1);
      await lookup.routesOf(["a"]);
      expect(calls).toEqual([["a", "off"], ["b"], ["a"]]);
    });

    it("looks an invalidated user up again, and drops everything when invalidated without a list", async () => {
      const { lookup, calls } = counting((ids) => ids.map((u) => route(u, "n1")));
      await lookup.routesOf(["a", "b"]);
      lookup.invalidate(["a"]);
      await lookup.routesOf(["a", "b"]);
      expect(calls).toEqual([["a", "b"], ["a"]]);
      lookup.invalidate();
      await lookup.routesOf(["a", "b"]);
      expect(calls).toEqual([["a", "b"], ["a"], ["a", "b"]]);
    });

    it("does not cache a lookup that an invalidation overtook (it may predate the new route)", async () => {
      let where = "n1";
      const { lookup, calls, gate } = counting((ids) => ids.map((u) => route(u, where)));
      let release!: () => void;
      gate.hold = new Promise<void>((resolve) => (release = resolve));
      const first = lookup.routesOf(["a"]);
      await new Promise((resolve) => setImmediate(resolve));
      lookup.invalidate(["a"]); // a's new connection on n2 was announced while the lookup ran
      where = "n2";
      release();
      expect(await first).toEqual([route("a", "n2")]);
      gate.hold = undefined;
      expect(await lookup.routesOf(["a"])).toEqual([route("a", "n2")]);
      expect(calls).toEqual([["a"], ["a"]]);
    });

    it("keeps at most maxUsers, evicting the least recently looked up", async () => {
      const { lookup, calls } = counting((ids) => ids.map((u) => route(u, "n1")));
      for (const u of ["a", "b", "c", "d"]) await lookup.routesOf([u]);
      expect(lookup.size).toBe(3);
      await lookup.routesOf(["b", "c", "d"]);
      expect(calls).toHaveLength(4);
      await lookup.routesOf(["a"]);
      expect(calls).toHaveLength(5);
    });

    it("rejects a negative TTL", () => {
      expect(() => new RouteLookup({ routesOf: async () => [] }, { ttlMs: -1 })).toThrow(RangeError);
    });
  });
});
