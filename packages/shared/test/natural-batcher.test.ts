import { describe, expect, it } from "vitest";
import { NaturalBatcher, type BatchOutcome } from "../src/node/async";

/** A batcher whose batches wait until the test releases them, recording what each held. */
function recorder(decide: (item: number) => BatchOutcome<string> = (n) => ({ value: `v${n}` }), opts = { maxItems: 100 }) {
  const batches: number[][] = [];
  const releases: Array<() => void> = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const batcher = new NaturalBatcher<number, string>(async (items) => {
    batches.push(items);
    maxInFlight = Math.max(maxInFlight, ++inFlight);
    await new Promise<void>((resolve) => releases.push(resolve));
    inFlight--;
    return items.map(decide);
  }, opts);
  const releaseNext = async () => {
    while (releases.length === 0) await new Promise((r) => setImmediate(r));
    releases.shift()!();
  };
  return { batcher, batches, releaseNext, maxInFlight: () => maxInFlight };
}

describe("NaturalBatcher", () => {
  it("sends the first call at once and batches the calls that arrive while it runs, one batch in flight", async () => {
    const r = recorder();
    const first = r.batcher.submit(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(r.batches).toEqual([[1]]);
    const later = [2, 3, 4].map((n) => r.batcher.submit(n));
    await r.releaseNext();
    expect(await first).toBe("v1");
    await r.releaseNext();
    expect(await Promise.all(later)).toEqual(["v2", "v3", "v4"]);
    expect(r.batches).toEqual([[1], [2, 3, 4]]);
    expect(r.maxInFlight()).toBe(1);
  });

  it("caps a batch by items and by total size, keeping call order", async () => {
    const byItems = recorder(undefined, { maxItems: 2 });
    const all = [1, 2, 3, 4, 5].map((n) => byItems.batcher.submit(n));
    for (let i = 0; i < 3; i++) await byItems.releaseNext();
    await Promise.all(all);
    expect(byItems.batches).toEqual([[1, 2], [3, 4], [5]]);

    const seen: number[][] = [];
    const sized = new NaturalBatcher<number, number>(
      async (items) => {
        seen.push(items);
        return items.map((n) => ({ value: n }));
      },
      { maxItems: 100, sizeOf: (n) => n, maxSize: 10 },
    );
    expect(await Promise.all([6, 4, 1, 20, 3].map((n) => sized.submit(n)))).toEqual([6, 4, 1, 20, 3]);
    // An item larger than the cap still goes, alone.
    expect(seen).toEqual([[6, 4], [1], [20], [3]]);
  });

  it("gives each caller its own outcome and runs a requeued item first in the next batch", async () => {
    let requeued = false;
    const r = recorder((n) => {
      if (n === 2) return { error: new Error("two") };
      if (n === 3 && !requeued) return (requeued = true), { requeue: true };
      return { value: `v${n}` };
    });
    const calls = [1, 2, 3, 4].map((n) => r.batcher.submit(n));
    const first = Promise.allSettled(calls);
    await new Promise((resolve) => setImmediate(resolve));
    const late = r.batcher.submit(5); // while the first batch runs
    await r.releaseNext();
    await r.releaseNext();
    const settled = [...(await first), ...(await Promise.allSettled([late]))];
    expect(settled.map((s) => (s.status === "fulfilled" ? s.value : (s.reason as Error).message))).toEqual(["v1", "two", "v3", "v4", "v5"]);
    expect(r.batches).toEqual([
      [1, 2, 3, 4],
      [3, 5],
    ]);
  });

  it("fails every caller of a batch that throws, and goes on with the next batch", async () => {
    let fail = true;
    const batcher = new NaturalBatcher<number, number>(
      async (items) => {
        await new Promise((resolve) => setImmediate(resolve));
        if (fail) throw new Error("statement failed");
        return items.map((n) => ({ value: n }));
      },
      { maxItems: 10 },
    );
    const failing = [batcher.submit(1), batcher.submit(2)];
    const results = await Promise.allSettled(failing);
    expect(results.map((s) => s.status === "rejected" && (s.reason as Error).message)).toEqual(["statement failed", "statement failed"]);
    fail = false;
    expect(await batcher.submit(3)).toBe(3);
  });

  it("with collect: turn, waits for the rest of the event-loop turn before the first batch", async () => {
    const seen: number[][] = [];
    const batcher = new NaturalBatcher<number, number>(
      async (items) => {
        seen.push(items);
        return items.map((n) => ({ value: n }));
      },
      { maxItems: 10, collect: "turn" },
    );
    const first = batcher.submit(1);
    await Promise.resolve(); // a microtask later: a microtask-started batch would have gone alone
    const second = batcher.submit(2);
    expect(await Promise.all([first, second])).toEqual([1, 2]);
    expect(seen).toEqual([[1, 2]]);
  });

  it("with collectMs, waits that long before the first batch; the next batch starts as soon as one ends", async () => {
    const seen: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const batcher = new NaturalBatcher<number, number>(
      async (items) => {
        seen.push(items);
        if (seen.length === 1) await gate;
        return items.map((n) => ({ value: n }));
      },
      { maxItems: 10, collectMs: 40 },
    );
    const started = performance.now();
    const first = batcher.submit(1);
    await new Promise((resolve) => setTimeout(resolve, 10));
    const second = batcher.submit(2); // within the window: same batch
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(seen).toEqual([[1, 2]]);
    const third = batcher.submit(3); // while the first batch executes: the next one
    release();
    expect(await Promise.all([first, second, third])).toEqual([1, 2, 3]);
    expect(seen).toEqual([[1, 2], [3]]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(40);
  });

  it("refuses a batch size below one and a negative collectMs", () => {
    expect(() => new NaturalBatcher(async () => [], { maxItems: 0 })).toThrow(RangeError);
    expect(() => new NaturalBatcher(async () => [], { maxItems: 1, collectMs: -1 })).toThrow(RangeError);
  });
});
