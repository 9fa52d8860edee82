/** The drain's close schedule (drain-waves.ts): every item once, random order, capped waves, abortable. */
import { describe, expect, it } from "vitest";
import { maxPerWave, runDrainWaves, shuffled } from "../src/drain-waves";

describe("drain waves", () => {
  it("closes every item exactly once, in several capped waves, in a shuffled order", async () => {
    const items = Array.from({ length: 100 }, (_, i) => i);
    const waves: number[][] = [];
    await runDrainWaves(items, (w) => waves.push(w.items), { windowMs: 500, waveMs: 50 });
    const all = waves.flat();
    expect([...all].sort((a, b) => a - b)).toEqual(items);
    expect(all).not.toEqual(items); // 1 in 100! to be in order by chance
    const cap = maxPerWave(100, 500, 50);
    expect(cap).toBe(20);
    expect(Math.max(...waves.map((w) => w.length))).toBeLessThanOrEqual(cap);
    expect(waves.length).toBeGreaterThanOrEqual(5); // at most 20 a wave
  });

  it("a clock that jumps (a stalled loop) still gets at most the cap per wave", async () => {
    let t = 0;
    const waves: number[] = [];
    // Every wave sees a full window passed: all items due at once; the cap spreads them.
    await runDrainWaves(Array.from({ length: 50 }, (_, i) => i), (w) => waves.push(w.items.length), {
      windowMs: 1000,
      waveMs: 1,
      now: () => (t += 1000),
    });
    expect(waves.reduce((a, b) => a + b, 0)).toBe(50);
    expect(Math.max(...waves)).toBeLessThanOrEqual(maxPerWave(50, 1000, 1));
  });

  it("window 0 closes everything in one wave; an abort stops before the rest", async () => {
    const one: number[][] = [];
    await runDrainWaves([1, 2, 3], (w) => one.push(w.items), { windowMs: 0 });
    expect(one).toHaveLength(1);
    expect([...one[0]!].sort()).toEqual([1, 2, 3]);

    const abort = new AbortController();
    let closed = 0;
    const run = runDrainWaves(Array.from({ length: 100 }, (_, i) => i), (w) => (closed += w.items.length), { windowMs: 60_000, signal: abort.signal });
    setTimeout(() => abort.abort(), 50);
    await run;
    expect(closed).toBeLessThan(100);
  });

  it("shuffled keeps every item", () => {
    expect(shuffled([1, 2, 3, 4], () => 0).sort()).toEqual([1, 2, 3, 4]);
  });
});
