/**
 * A send whose store call failed because PostgreSQL was briefly unreachable (a restart, a
 * failover, a dropped pooled connection) is retried here, on the node, before the client hears of
 * it. The socket's frames are handled one at a time, so the sends written after it wait behind the
 * retry and are stored after it: the per-connection order holds across a short outage. (Answering
 * INTERNAL at once made the client re-send 4 s later, by which time its later sends were stored.)
 * Safe to repeat: an append is idempotent by (sender, clientMsgId) — one that did commit before its
 * connection dropped comes back as a duplicate with its original seq.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { isAppError } from "@dim/shared";

/** How long a send keeps being retried before the client gets INTERNAL (its own re-send then takes over). */
export const STORE_RETRY_BUDGET_MS = 8_000;
const FIRST_DELAY_MS = 50;
const MAX_DELAY_MS = 1_000;

/** SQLSTATE classes and codes of "the server went away / is not ready", not of a bad statement. */
const TRANSIENT_SQLSTATES = new Set(["57P01", "57P02", "57P03", "53300"]);
const TRANSIENT_NODE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN"]);

/** True for an error that means "PostgreSQL could not be reached or dropped us", false for everything else (AppErrors included). */
export function isTransientDbError(err: unknown): boolean {
  if (isAppError(err) || typeof err !== "object" || err === null) return false;
  const { code, message } = err as { code?: unknown; message?: unknown };
  if (typeof code === "string" && (TRANSIENT_SQLSTATES.has(code) || code.startsWith("08") || TRANSIENT_NODE_CODES.has(code))) return true;
  return typeof message === "string" && /Connection terminated|connection timeout|Client has encountered a connection error|terminating connection/i.test(message);
}

export interface StoreRetryOptions {
  budgetMs?: number;
  /** Called before each wait (logs). */
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
  /** Stops retrying (the node is stopping): the last error is thrown. */
  signal?: AbortSignal;
}

/** Runs `op`; while it fails with a transient database error and the budget lasts, waits (50 ms doubling to 1 s) and runs it again. */
export async function withStoreRetry<T>(op: () => Promise<T>, opts: StoreRetryOptions = {}): Promise<T> {
  const deadline = Date.now() + (opts.budgetMs ?? STORE_RETRY_BUDGET_MS);
  let delay = FIRST_DELAY_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      return await op();
    } catch (err) {
      if (!isTransientDbError(err) || opts.signal?.aborted || Date.now() + delay > deadline) throw err;
      opts.onRetry?.(err, attempt, delay);
      await sleep(delay);
      delay = Math.min(MAX_DELAY_MS, delay * 2);
    }
  }
}
