/**
 * The ports of `npm run dev` and `npm run dev:cluster` (the PWA with its gateway, the core nodes,
 * the embedded PostgreSQL) and the environment each dev process gets from them. All are
 * configurable, so that two checkouts, or a dev session and a test run, can share a machine; the
 * database URL and the browser origins follow the ports unless DATABASE_URL / DIM_ALLOWED_ORIGINS
 * are set explicitly.
 */
import { z } from "zod";
import { DEFAULT_WEB_PORT, EMBEDDED_PG, embeddedDatabaseUrl, intVar, loadConfig, localWebOrigins } from "./config";

const port = () => intVar(1, 65535);

/** The dev scripts' variables (documented in docs/configuration.md like every other). */
export const devConfigSchema = z.object({
  /** Port of the PWA and the gateway it mounts (`next dev`). */
  DIM_GATEWAY_PORT: port().default(DEFAULT_WEB_PORT),
  /** Interface `next dev` binds to. */
  DIM_GATEWAY_HOST: z.string().min(1).default("127.0.0.1"),
  /** Core node n (node-1, node-2, …) listens on this port + n - 1. */
  DIM_DEV_NODE_BASE_PORT: port().default(7001),
  /** Port of the embedded PostgreSQL (`npm run dev` only; dev:cluster's PostgreSQL picks a free one). */
  DIM_EMBEDDED_PG_PORT: port().default(EMBEDDED_PG.port),
  /**
   * `dev:cluster`: when a core node dies, start it again after this many ms; 0 (the default)
   * leaves it dead while the others keep running (see docs/configuration.md for why).
   */
  DIM_DEV_RESTART_DEAD_NODES_MS: intVar(0, 10 * 60_000).default(0),
});

export interface DevLayout {
  /** How many core nodes the session runs (2 for `npm run dev`, 3 for `dev:cluster`). */
  nodes: number;
  /** Whether the session starts the embedded PostgreSQL (its port then must not collide either). */
  embeddedPg: boolean;
}

export interface DevNode {
  id: string;
  port: number;
}

export interface DevConfig {
  webPort: number;
  webHost: string;
  /** node-1 … node-n and their ports. */
  nodes: DevNode[];
  pgPort: number;
  /** What DATABASE_URL is for the dev processes: the explicit one, else the embedded database. */
  databaseUrl: string;
  /** What DIM_ALLOWED_ORIGINS is for the dev processes: the explicit one, else the PWA's own origins. */
  allowedOrigins: string;
  /** DIM_DEV_RESTART_DEAD_NODES_MS: delay before a dead core node is restarted; 0 = never. */
  restartDeadNodesMs: number;
}

/** `npm run dev`: two core nodes next to the embedded PostgreSQL. */
export const EMBEDDED_DEV: DevLayout = { nodes: 2, embeddedPg: true };
/** `npm run dev:cluster`: three core nodes; PostgreSQL comes from the cluster services. */
export const CLUSTER_DEV: DevLayout = { nodes: 3, embeddedPg: false };

function devSchema(layout: DevLayout) {
  return devConfigSchema.superRefine((c, ctx) => {
    const last = c.DIM_DEV_NODE_BASE_PORT + layout.nodes - 1;
    const nodeRange = `${c.DIM_DEV_NODE_BASE_PORT}–${last}`;
    if (last > 65535) {
      ctx.addIssue({ code: "custom", path: ["DIM_DEV_NODE_BASE_PORT"], message: `${layout.nodes} core nodes need ports ${nodeRange}: at most ${65536 - layout.nodes}` });
    }
    const inNodes = (p: number) => p >= c.DIM_DEV_NODE_BASE_PORT && p <= last;
    if (inNodes(c.DIM_GATEWAY_PORT)) {
      ctx.addIssue({ code: "custom", path: ["DIM_GATEWAY_PORT"], message: `${c.DIM_GATEWAY_PORT} is one of the core nodes' ports (${nodeRange}, DIM_DEV_NODE_BASE_PORT)` });
    }
    if (!layout.embeddedPg) return;
    if (inNodes(c.DIM_EMBEDDED_PG_PORT)) {
      ctx.addIssue({ code: "custom", path: ["DIM_EMBEDDED_PG_PORT"], message: `${c.DIM_EMBEDDED_PG_PORT} is one of the core nodes' ports (${nodeRange}, DIM_DEV_NODE_BASE_PORT)` });
    }
    if (c.DIM_EMBEDDED_PG_PORT === c.DIM_GATEWAY_PORT) {
      ctx.addIssue({ code: "custom", path: ["DIM_EMBEDDED_PG_PORT"], message: `${c.DIM_EMBEDDED_PG_PORT} is the gateway's port too (DIM_GATEWAY_PORT)` });
    }
  });
}

/** Validates the dev ports for a session of this shape (one INVALID_CONFIG error listing every bad variable). */
export function loadDevConfig(env: Record<string, string | undefined>, layout: DevLayout): DevConfig {
  const c = loadConfig(devSchema(layout), env, "dev");
  return {
    webPort: c.DIM_GATEWAY_PORT,
    webHost: c.DIM_GATEWAY_HOST,
    nodes: Array.from({ length: layout.nodes }, (_, i) => ({ id: `node-${i + 1}`, port: c.DIM_DEV_NODE_BASE_PORT + i })),
    pgPort: c.DIM_EMBEDDED_PG_PORT,
    databaseUrl: env.DATABASE_URL || embeddedDatabaseUrl(c.DIM_EMBEDDED_PG_PORT),
    allowedOrigins: env.DIM_ALLOWED_ORIGINS || localWebOrigins(c.DIM_GATEWAY_PORT).join(","),
    restartDeadNodesMs: c.DIM_DEV_RESTART_DEAD_NODES_MS,
  };
}

/** The environment of a dev process (gateway or node): the caller's, with the session's database and origins. */
export function devProcessEnv(env: NodeJS.ProcessEnv, dev: DevConfig): NodeJS.ProcessEnv {
  return { ...env, DATABASE_URL: dev.databaseUrl, DIM_ALLOWED_ORIGINS: dev.allowedOrigins, DIM_LOG_PRETTY: env.DIM_LOG_PRETTY ?? "1" };
}
