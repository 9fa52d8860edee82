/**
 * A core node's configuration: read from the environment once, at boot, through this zod schema
 * (`loadConfig`), never from `process.env` elsewhere. Every option has a default, so a bare
 * `tsx src/main.ts` runs on the embedded default.
 */
import { z } from "zod";
import {
  DEFAULT_ACK_TIMEOUT_MS,
  DEFAULT_AUTH_TIMEOUT_MS,
  DEFAULT_HEARTBEAT_MS,
  DEFAULT_IDLE_TIMEOUT_MS,
} from "@dim/shared";
import { loadConfig } from "@dim/shared/node";
import { infraConfigSchema } from "@dim/infra";

const ms = (min: number) => z.coerce.number().int().min(min).max(24 * 60 * 60 * 1000);
const flag = z
  .enum(["0", "1", "true", "false"])
  .transform((v) => v === "1" || v === "true");
/** Comma-separated list; empty entries dropped. */
const csv = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((s) =>
      s
        .split(",")
        .map((x) => x.trim())
        .filter((x) => x.length > 0),
    );

export const DEFAULT_DATABASE_URL = "postgresql://postgres:dim@127.0.0.1:54320/dim";
/** The PWA in development (`web` on port 3000). Production sets DIM_ALLOWED_ORIGINS. */
export const DEFAULT_ALLOWED_ORIGINS = "http://localhost:3000,http://127.0.0.1:3000";

export const coreNodeEnvSchema = z.object({
  /** This node's identity in the registry, presence and socket tokens. Default: node-<host>-<port> once bound. */
  DIM_NODE_ID: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9_.-]+$/, "node id may hold only A-Z, a-z, 0-9, '_', '.' and '-'")
    .optional(),
  /** Interface the HTTP/WebSocket server binds to (also advertised when DIM_PUBLIC_WS_URL is unset). */
  DIM_NODE_HOST: z.string().min(1).default("127.0.0.1"),
  /** Port to bind; 0 picks a free one (tests). */
  DIM_NODE_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  /** URL clients connect to, as registered for the gateway. Default: ws://<host>:<port>/ws. */
  DIM_PUBLIC_WS_URL: z.url({ protocol: /^wss?$/ }).optional(),
  /** Comma-separated Origin values browsers may connect from; "*" allows any. A missing Origin (non-browser client) is always allowed. */
  DIM_ALLOWED_ORIGINS: csv(DEFAULT_ALLOWED_ORIGINS),
  /** HMAC secret shared with the gateway for socket tokens. Embedded mode falls back to .data/token-secret. */
  DIM_TOKEN_SECRET: z.string().min(16).optional(),
  /** How long a pushed message waits for the recipient's `ack` before its one re-push. */
  DIM_ACK_TIMEOUT_MS: ms(10).default(DEFAULT_ACK_TIMEOUT_MS),
  /** Re-push an un-ACKed delivery once (the seed's behaviour); 0 leaves every lost push to sync. */
  DIM_REPUSH: flag.default(true),
  /** Heartbeat interval advertised to clients in `welcome`. */
  DIM_HEARTBEAT_MS: ms(100).default(DEFAULT_HEARTBEAT_MS),
  /** A socket with no inbound frame for this long is closed with IdleTimeout. */
  DIM_IDLE_TIMEOUT_MS: ms(100).default(DEFAULT_IDLE_TIMEOUT_MS),
  /** A socket that has not authenticated within this is closed with AuthTimeout. */
  DIM_AUTH_TIMEOUT_MS: ms(10).default(DEFAULT_AUTH_TIMEOUT_MS),
  /** Most sockets (authenticated or not) this node holds; further upgrades get HTTP 503. */
  DIM_MAX_CONNECTIONS: z.coerce.number().int().min(1).default(10_000),
  /** Sustained inbound frames per second per socket (token bucket refill rate; every frame type counts). */
  DIM_SEND_RATE_PER_SEC: z.coerce.number().positive().default(50),
  /** Token bucket size: frames a socket may send in a burst above the rate. */
  DIM_SEND_BURST: z.coerce.number().int().min(1).default(100),
  /** A socket whose unsent outbound bytes exceed this is closed with SlowConsumer. */
  DIM_MAX_BUFFERED_BYTES: z.coerce.number().int().min(64 * 1024).default(4 * 1024 * 1024),
  /** Lifetime of a presence (user → node) lease; refreshed every third of it while connected. */
  DIM_PRESENCE_TTL_MS: ms(300).default(30_000),
  /**
   * How long this node reuses a presence lookup (who is connected where) for fan-out to other
   * nodes; 0 looks up every time. Nodes announce new connections to each other, so a cached
   * answer never hides a connection that was welcomed before a message was committed.
   */
  DIM_ROUTE_CACHE_TTL_MS: z.coerce.number().int().min(0).max(60_000).default(15_000),
  /** How long a node waits for each peer's acknowledgement of a route announcement before welcoming the new sockets anyway. */
  DIM_ROUTE_ACK_TIMEOUT_MS: ms(10).max(60_000).default(1_000),
  /**
   * How long a node collects `ack` / `read` cursor moves before writing them in one statement
   * (when no cursor write is in flight). Receipts wait that much longer; sockets never wait for it.
   */
  DIM_CURSOR_COLLECT_MS: z.coerce.number().int().min(0).max(1_000).default(20),
  /** PostgreSQL, the source of truth. */
  DATABASE_URL: z.string().min(1).default(DEFAULT_DATABASE_URL),
});

export const coreNodeConfigSchema = coreNodeEnvSchema.transform((env) => ({
  nodeId: env.DIM_NODE_ID,
  host: env.DIM_NODE_HOST,
  port: env.DIM_NODE_PORT,
  publicWsUrl: env.DIM_PUBLIC_WS_URL,
  allowedOrigins: env.DIM_ALLOWED_ORIGINS,
  tokenSecret: env.DIM_TOKEN_SECRET,
  ackTimeoutMs: env.DIM_ACK_TIMEOUT_MS,
  repush: env.DIM_REPUSH,
  heartbeatMs: env.DIM_HEARTBEAT_MS,
  idleTimeoutMs: env.DIM_IDLE_TIMEOUT_MS,
  authTimeoutMs: env.DIM_AUTH_TIMEOUT_MS,
  maxConnections: env.DIM_MAX_CONNECTIONS,
  rateLimitPerSec: env.DIM_SEND_RATE_PER_SEC,
  rateLimitBurst: env.DIM_SEND_BURST,
  maxBufferedBytes: env.DIM_MAX_BUFFERED_BYTES,
  presenceTtlMs: env.DIM_PRESENCE_TTL_MS,
  routeCacheTtlMs: env.DIM_ROUTE_CACHE_TTL_MS,
  routeAckTimeoutMs: env.DIM_ROUTE_ACK_TIMEOUT_MS,
  cursorCollectMs: env.DIM_CURSOR_COLLECT_MS,
  databaseUrl: env.DATABASE_URL,
}));

/** The parsed configuration; `tokenSecret` may still be unset (main.ts resolves it per mode). */
export type CoreNodeEnvConfig = z.infer<typeof coreNodeConfigSchema>;
/** What `CoreNode` needs: the parsed configuration with its token secret resolved. */
export type CoreNodeConfig = Omit<CoreNodeEnvConfig, "tokenSecret" | "databaseUrl"> & { tokenSecret: string };

export function loadCoreNodeConfig(env: Record<string, string | undefined>): CoreNodeEnvConfig {
  return loadConfig(coreNodeConfigSchema, env, "core node");
}

/**
 * Everything a node process reads at boot (main.ts): this node's options and the infrastructure
 * choice (DIM_MODE, Kafka / ZooKeeper / Redis addresses — see @dim/infra's infraConfigSchema),
 * validated together so one error lists every bad variable.
 */
export const nodeProcessConfigSchema = z.preprocess(
  (env) => ({ node: env, infra: env }),
  z.object({ node: coreNodeConfigSchema, infra: infraConfigSchema }),
);
export type NodeProcessConfig = z.infer<typeof nodeProcessConfigSchema>;

export function loadNodeProcessConfig(env: Record<string, string | undefined>): NodeProcessConfig {
  return loadConfig(nodeProcessConfigSchema, env, "core node");
}
