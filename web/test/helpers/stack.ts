/**
 * The whole embedded system for browser tests, as `npm run dev` composes it but built for
 * production: a fresh database on the suite's PostgreSQL, two core node processes (the real
 * composition root, core-node/src/main.ts) and the production web server (scripts/serve-web.ts,
 * what `npm start` runs) serving the PWA and the gateway.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestDatabase, type TestDatabase } from "@dim/db/testing";
import { freePort } from "@dim/shared/node";
import { ensureProductionBuild, TEST_DIST_DIR } from "./next-build";
import { REPO, WEB_DIR } from "./paths";
import { startProcess, type RunningProcess } from "./processes";

export interface Stack {
  /** http://127.0.0.1:<port> */
  baseUrl: string;
  nodeIds: string[];
  processes: RunningProcess[];
  database: TestDatabase;
  /** Stops every server (core nodes and the web server), keeping the database. */
  stopServers(): Promise<void>;
  /** Starts the servers again (same node ids, same web port: same origin for the browser). */
  startServers(): Promise<void>;
  stop(): Promise<void>;
}

function isReadyLine(line: string): boolean {
  try {
    return (JSON.parse(line) as { msg?: unknown }).msg === "ready";
  } catch {
    return false;
  }
}

export interface StackOptions {
  /** Core node processes (default 2; 0 for gateway-only tests). */
  nodes?: number;
  /** More environment for the web server (e.g. DIM_TRUST_PROXY, DIM_UPLOAD_MAX_BYTES). */
  webEnv?: Record<string, string>;
  /**
   * `next dev` (what `npm run dev` serves, compiled on demand into web/.next-test-dev) instead of
   * the production build: for what must hold under the README's main command too.
   */
  dev?: boolean;
}

/** Where the `dev` stack's `next dev` writes (never .next, a developer's own session). */
export const TEST_DEV_DIST_DIR = ".next-test-dev";

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  if (!opts.dev) await ensureProductionBuild();
  const database = await createTestDatabase();
  // Attachment bytes of this stack only (not the repo's .data): removed with it.
  const blobDir = mkdtempSync(join(tmpdir(), "dim-web-blobs-"));
  const processes: RunningProcess[] = [];
  const stopServers = async () => {
    const running = processes.splice(0, processes.length).reverse();
    await Promise.allSettled(running.map((p) => p.stop()));
  };
  const stop = async () => {
    await stopServers();
    await database.drop();
    rmSync(blobDir, { recursive: true, force: true });
  };
  try {
    const webPort = await freePort();
    const baseUrl = `http://127.0.0.1:${webPort}`;
    const common = {
      ...process.env,
      DATABASE_URL: database.url,
      DIM_MODE: "embedded",
      DIM_TOKEN_SECRET: randomBytes(24).toString("base64url"),
      DIM_LOG_PRETTY: "0",
    };
    const nodeIds = Array.from({ length: opts.nodes ?? 2 }, (_, i) => `web-node-${i + 1}`);
    const startServers = async () => {
      for (const nodeId of nodeIds) {
        processes.push(
          await startProcess({
            label: nodeId,
            args: ["--import", "tsx", "src/main.ts"],
            cwd: join(REPO, "core-node"),
            // A short drain: stopServers() sends SIGTERM, and the default 30 s would outlast its grace.
            env: { ...common, DIM_NODE_ID: nodeId, DIM_NODE_PORT: "0", DIM_ALLOWED_ORIGINS: baseUrl, DIM_LOG_LEVEL: "info", DIM_DRAIN_MS: "500" },
            readyLine: isReadyLine,
            timeoutMs: 60_000,
          }),
        );
      }
      processes.push(
        await startProcess({
          label: "web server",
          args: ["--import", "tsx", "scripts/serve-web.ts", ...(opts.dev ? ["--dev"] : []), "-p", String(webPort), "-H", "127.0.0.1"],
          cwd: WEB_DIR,
          env: {
            ...common,
            NODE_ENV: opts.dev ? "development" : "production",
            NEXT_TELEMETRY_DISABLED: "1",
            DIM_NEXT_DIST_DIR: opts.dev ? TEST_DEV_DIST_DIR : TEST_DIST_DIR,
            DIM_LOG_LEVEL: "warn",
            DIM_BLOB_DIR: blobDir,
            ...opts.webEnv,
          },
          readyCheck: async () => (await fetch(`${baseUrl}/login`)).ok,
          // `next dev` compiles /login on that first request.
          timeoutMs: opts.dev ? 240_000 : 60_000,
        }),
      );
    };
    await startServers();
    return { baseUrl, nodeIds, processes, database, stopServers, startServers, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
