/** The two clocks of waiting code: a promise that resolves after `ms`, and a monotonic millisecond clock. */

/** Resolves after `ms` milliseconds (a plain timer; fake timers in tests drive it). */
export const sleep = (ms: number): Promise<void> => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Milliseconds of a monotonic clock (never jumps with the wall clock): the clock of rate limits and deadlines. */
export const monotonicMs = (): number => performance.now();
