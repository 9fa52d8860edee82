/** Reconnect delays: exponential growth from `baseMs`, capped at `capMs`, with jitter. */
export interface BackoffOptions {
  /** First delay's upper bound. Default 500 ms. */
  baseMs: number;
  /** Largest delay. Default 30 s. */
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, capMs: 30_000 };

/** The window [min, max] the delay of reconnect attempt `attempt` (0-based) falls in. */
export function backoffWindow(attempt: number, options: BackoffOptions): { minMs: number; maxMs: number } {
  const exp = Math.min(options.capMs, options.baseMs * 2 ** Math.min(attempt, 30));
  return { minMs: exp / 2, maxMs: exp };
}

/**
 * "Equal jitter": half the exponential step is fixed, half random, so clients that lost the same
 * node spread out (no thundering herd on the gateway) yet never retry in a hot loop.
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const { minMs, maxMs } = backoffWindow(attempt, options);
  return Math.round(minMs + random() * (maxMs - minMs));
}
