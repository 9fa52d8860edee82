/**
 * Boot helper for core nodes and the gateway: in `turbo dev` they start next to the embedded
 * PostgreSQL, which may still be initialising. Retries with capped exponential backoff.
 */
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { describeUrl, toLogFn, type DbLog } from "./db-log";

export interface WaitForDatabaseOptions {
  log?: DbLog;
  /** Give up after this long (default 60 s). */
  timeoutMs?: number;
}

export async function waitForDatabase(databaseUrl: string, opts: WaitForDatabaseOptions = {}): Promise<void> {
  const log = toLogFn(opts.log);
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  let delay = 100;
  let lastError = "";
  for (let attempt = 1; ; attempt++) {
    const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5_000 });
    client.on("error", () => {});
    try {
      await client.connect();
      await client.query("SELECT 1");
      if (attempt > 1) log(`PostgreSQL at ${describeUrl(databaseUrl)} is up`);
      return;
    } catch (err) {
      lastError = (err as Error).message;
    } finally {
      await client.end().catch(() => {});
    }
    if (Date.now() + delay > deadline) {
      throw new Error(
        `PostgreSQL at ${describeUrl(databaseUrl)} did not answer within ${opts.timeoutMs ?? 60_000} ms (last error: ${lastError}). ` +
          "In embedded mode it is started by `npm run dev` (workspace @dim/db); check DATABASE_URL.",
      );
    }
    if (attempt === 1 || attempt % 10 === 0) log(`waiting for PostgreSQL at ${describeUrl(databaseUrl)} (${lastError})`);
    await sleep(delay);
    delay = Math.min(delay * 2, 2_000);
  }
}
