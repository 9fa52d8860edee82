/**
 * The close schedule of a drain: the node's sockets in random order, closed in waves so that the
 * peers see an even reconnect rate over the window instead of one spike (a 20k-socket node over
 * 30 s: ~67 closes every 100 ms).
 *
 * Each socket gets a time inside its own slot of the window (slot i of n: [i, i+1) · window/n,
 * a uniform jitter inside it), so the rate never exceeds about n/window. Waves run every
 * `waveMs`, each waiting for the previous one (a stalled event loop does not fire a catch-up
 * burst), and a wave closes at most `maxPerWave` sockets: when the node falls behind, the drain
 * takes longer rather than bunching.
 */
import { setTimeout as sleep } from "node:timers/promises";

export interface DrainWavesOptions {
  windowMs: number;
  /** Time between waves (default min(100, window / 10), at least 1 ms). */
  waveMs?: number;
  random?: () => number;
  signal?: AbortSignal;
  /** Monotonic clock in ms (tests may pass their own). */
  now?: () => number;
}

export interface DrainWave<T> {
  /** The sockets of this wave. */
  items: T[];
  /** 0-based wave number. */
  index: number;
}

/** Fisher–Yates, with the given randomness. */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** The most a wave may close: twice the even share, at least one. */
export function maxPerWave(count: number, windowMs: number, waveMs: number): number {
  if (windowMs <= 0) return Math.max(1, count);
  return Math.max(1, Math.ceil((2 * count * waveMs) / windowMs));
}

/**
 * Calls `close` for every item, in waves over `windowMs`; resolves after the last wave (or when
 * the signal aborts: the rest is then the caller's). `close` should not throw; a throw is the
 * caller's bug and ends the drain.
 */
export async function runDrainWaves<T>(items: readonly T[], close: (wave: DrainWave<T>) => void, opts: DrainWavesOptions): Promise<void> {
  const random = opts.random ?? Math.random;
  const now = opts.now ?? (() => performance.now());
  const order = shuffled(items, random);
  const n = order.length;
  if (n === 0) return;
  if (opts.windowMs <= 0) {
    close({ items: order, index: 0 });
    return;
  }
  const slot = opts.windowMs / n;
  const due = order.map((_, i) => (i + random()) * slot);
  const waveMs = Math.max(1, opts.waveMs ?? Math.min(100, Math.floor(opts.windowMs / 10)));
  const cap = maxPerWave(n, opts.windowMs, waveMs);
  const start = now();
  let next = 0;
  for (let index = 0; next < n; index++) {
    if (opts.signal?.aborted) return;
    const elapsed = now() - start;
    let end = next;
    while (end < n && end - next < cap && due[end]! <= elapsed) end++;
    if (end > next) {
      close({ items: order.slice(next, end), index });
      next = end;
    }
    if (next >= n) return;
    try {
      await sleep(waveMs, undefined, opts.signal ? { signal: opts.signal } : undefined);
    } catch {
      return; // aborted
    }
  }
}
