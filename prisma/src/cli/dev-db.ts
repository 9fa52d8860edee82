/**
 * `npm run dev -w @dim/db` (run by `turbo dev`): the embedded default's PostgreSQL, kept in
 * .data/postgres across restarts. Creates the `dim` database, migrates it, prints its URL and
 * stays up until Ctrl-C / SIGTERM. `npm run db:reset` deletes the data.
 */
import { relative } from "node:path";
import pg from "pg";
import { REPO_ROOT } from "@dim/shared/node";
import { startEmbeddedPostgres, type RunningPostgres } from "../embedded/embedded-postgres";
import { migrate } from "../migrate";
import { waitForDatabase } from "../wait-for-database";
import { loadDevDbConfig } from "./dev-db-config";
import { probePort } from "./probe-port";

const say = (line: string) => console.log(`[db] ${line}`);

async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE "${name}"`).catch((err: { code?: string }) => {
        if (err.code !== "42P04") throw err; // created meanwhile by another process
      });
      say(`created database ${name}`);
    }
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const cfg = loadDevDbConfig();
  const { urlFor } = cfg;
  const databaseUrl = urlFor(cfg.database);
  const where = cfg.dataDir.startsWith(REPO_ROOT) ? relative(REPO_ROOT, cfg.dataDir) : cfg.dataDir;

  let server: RunningPostgres | undefined;
  const state = await probePort(cfg.port, urlFor("postgres"), cfg.dataDir);
  if (state.kind === "other") {
    throw new Error(
      `port ${cfg.port} is used by another program that is not DIM's embedded PostgreSQL. ` +
        "Stop it, or choose another port with DIM_EMBEDDED_PG_PORT (the dev gateway and nodes follow it).",
    );
  }
  if (state.kind === "other-postgres") {
    throw new Error(
      `port ${cfg.port} is used by another checkout's embedded PostgreSQL (data in ${state.dataDir}). ` +
        "Choose another port with DIM_EMBEDDED_PG_PORT (the dev gateway and nodes follow it).",
    );
  }
  if (state.kind === "our-postgres") {
    say(`embedded PostgreSQL is already running on port ${cfg.port} (another \`npm run dev\`?); using it, not starting a second one`);
    await waitForDatabase(urlFor("postgres"), { log: say, timeoutMs: 30_000 });
  } else {
    say(`starting embedded PostgreSQL on 127.0.0.1:${cfg.port} (data in ${where})…`);
    server = await startEmbeddedPostgres({
      dataDir: cfg.dataDir,
      port: cfg.port,
      persistent: true,
      password: cfg.password,
      onLog: (line) => {
        if (/\b(PANIC|FATAL|ERROR|WARNING)\b/.test(line)) say(`postgres: ${line}`);
      },
    });
  }

  await ensureDatabase(urlFor("postgres"), cfg.database);
  const { applied } = await migrate(databaseUrl, { log: say });
  say(`ready${applied.length ? ` (applied ${applied.length} migration(s))` : ""}: DATABASE_URL=${databaseUrl}`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    if (!server) return process.exit(0);
    say(`${signal}: stopping embedded PostgreSQL…`);
    await server.stop();
    say("stopped; data kept in " + where);
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));

  if (server) {
    await server.exited;
    if (!stopping) {
      say("embedded PostgreSQL exited unexpectedly");
      process.exit(1);
    }
  } else {
    // Stay up so `turbo dev` keeps this task alive; the other instance owns the server.
    setInterval(() => {}, 1 << 30);
  }
}

main().catch((err: unknown) => {
  console.error(`[db] ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
