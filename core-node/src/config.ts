/**
 * A core node's configuration: read from the environment once, at boot, through this zod schema
 * (`loadConfig`), never from `process.env` elsewhere. Every option has a default, so a bare
 * `tsx src/main.ts` runs on the embedded default.
 */
import { z } from "zod";
import {
  DEFAULT_ACK_TIMEOUT_MS,
  DEFAULT_AUTH_TIMEOUT_MS,
  DEFAULT_DELETE_WINDOW_MS,
  DEFAULT_EDIT_WINDOW_MS,
  DEFAULT_HEARTBEAT_MS,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_PRESENCE_COALESCE_MS,
  NODE_ID_RE,
} from "@dim/shared";
import {
  csvVar,
  databaseUrlVar,
  DEFAULT_ALLOWED_ORIGINS,
  envSections,
  flagVar,
  intVar,
  loadConfig,
  msVar,
  pushConfigSchema,
  TOKEN_SECRET_REQUIRED,
  tokenSecretVar,
} from "@dim/shared/node";
import { infraConfigSchema, MAX_SOCKETS_PER_USER_LIMIT } from "@dim/infra";
import { metricsConfigSchema } from "@dim/shared/metrics";

/** DIM_DRAIN_MS: long enough that a 20k-socket node moves ~700 clients a second. */
export const DEFAULT_DRAIN_MS = 30_000;

/** DIM_MAX_SOCKETS_PER_USER: a person's phone, desktop app and a handful of tabs. */
export const DEFAULT_MAX_SOCKETS_PER_USER = 10;

export const coreNodeEnvSchema = z.object({
  /** This node's identity in the registry, presence and socket tokens. Default: node-<host>-<port> once bound. */
  DIM_NODE_ID: z
    .string()
    .min(1)
    .max(64)
    .regex(NODE_ID_RE, "node id may hold only A-Z, a-z, 0-9, '_', '.' and '-'")
    .optional(),
  /** Interface the HTTP/WebSocket server binds to (also advertised when DIM_PUBLIC_WS_URL is unset). */
  DIM_NODE_HOST: z.string().min(1).default("127.0.0.1"),
  /** Port to bind; 0 picks a free one (tests). */
  DIM_NODE_PORT: intVar(0, 65535).default(0),
  /** URL clients connect to, as registered for the gateway. Default: ws://<host>:<port>/ws. */
  DIM_PUBLIC_WS_URL: z.url({ protocol: /^wss?$/ }).optional(),
  /** Comma-separated Origin values browsers may connect from; "*" allows any. A missing Origin (non-browser client) is always allowed. */
  DIM_ALLOWED_ORIGINS: csvVar(DEFAULT_ALLOWED_ORIGINS),
  /** HMAC secret shared with the gateway for socket tokens. Embedded mode falls back to .data/token-secret. */
  DIM_TOKEN_SECRET: tokenSecretVar(),
  /** How long a pushed message waits for the recipient's `ack` before its one re-push. */
  DIM_ACK_TIMEOUT_MS: msVar(10).default(DEFAULT_ACK_TIMEOUT_MS),
  /** Re-push an un-ACKed delivery once (the seed's behaviour); 0 leaves every lost push to sync. */
  DIM_REPUSH: flagVar(true),
  /** Heartbeat interval advertised to clients in `welcome`. */
  DIM_HEARTBEAT_MS: msVar(100).default(DEFAULT_HEARTBEAT_MS),
  /** A socket with no inbound frame for this long is closed with IdleTimeout. */
  DIM_IDLE_TIMEOUT_MS: msVar(100).default(DEFAULT_IDLE_TIMEOUT_MS),
  /** A socket that has not authenticated within this is closed with AuthTimeout. */
  DIM_AUTH_TIMEOUT_MS: msVar(10).default(DEFAULT_AUTH_TIMEOUT_MS),
  /** Most sockets (authenticated or not) this node holds; further upgrades get HTTP 503. */
  DIM_MAX_CONNECTIONS: intVar(1).default(10_000),
  /**
   * Most authenticated sockets one user may hold across all nodes (devices and tabs); the next is
   * refused with LIMIT_EXCEEDED and close code 4409 TooManySockets. Counted from presence leases,
   * so a crashed node's sockets stop counting when their leases expire (DIM_PRESENCE_TTL_MS).
   */
  DIM_MAX_SOCKETS_PER_USER: intVar(1, MAX_SOCKETS_PER_USER_LIMIT).default(DEFAULT_MAX_SOCKETS_PER_USER),
  /** Sustained inbound frames per second per socket (token bucket refill rate; every frame type counts). */
  DIM_SEND_RATE_PER_SEC: z.coerce.number().positive().default(50),
  /** Token bucket size: frames a socket may send in a burst above the rate. */
  DIM_SEND_BURST: intVar(1).default(100),
  /** A socket whose unsent outbound bytes exceed this is closed with SlowConsumer. */
  DIM_MAX_BUFFERED_BYTES: intVar(64 * 1024).default(4 * 1024 * 1024),
  /** Lifetime of a presence (user → node) lease; refreshed every third of it while connected. */
  DIM_PRESENCE_TTL_MS: msVar(300).default(30_000),
  /**
   * How long this node reuses a presence lookup (who is connected where) for fan-out to other
   * nodes; 0 looks up every time. Nodes announce new connections to each other, so a cached
   * answer never hides a connection that was welcomed before a message was committed.
   */
  DIM_ROUTE_CACHE_TTL_MS: intVar(0, 60_000).default(15_000),
  /** How long a node waits for each peer's acknowledgement of a route announcement before welcoming the new sockets anyway. */
  DIM_ROUTE_ACK_TIMEOUT_MS: intVar(10, 60_000).default(1_000),
  /**
   * How long a node collects `ack` / `read` cursor moves before writing them in one statement
   * (when no cursor write is in flight). Receipts wait that much longer; sockets never wait for it.
   */
  DIM_CURSOR_COLLECT_MS: intVar(0, 1_000).default(20),
  /**
   * How long a node collects the cursor moves (ack / read) of one group before it tells the
   * authors of the messages they passed (and a reader's own devices), in ONE `receipts.group`
   * record per live node and one `receipts` frame per addressed socket.
   */
  DIM_GROUP_RECEIPT_COALESCE_MS: intVar(0, 10_000).default(250),
  /** Conversations whose member lists (with their windows) a node keeps in memory; the least recently used go first. */
  DIM_MEMBERS_CACHE_MAX: intVar(1).default(10_000),
  /**
   * How long a node reuses the registry's list of live nodes for group fan-out. A node that
   * leases new connections announces them (routes.changed) and is listed at once.
   */
  DIM_PEER_LIST_TTL_MS: intVar(0, 60_000).default(2_000),
  /** How long after its send a text message may be edited by its author; 0 disables edits (at most a year). */
  DIM_EDIT_WINDOW_MS: intVar(0, 365 * 24 * 3600_000).default(DEFAULT_EDIT_WINDOW_MS),
  /** How long after its send a message may be deleted for everyone by its author; 0 disables it (at most a year). */
  DIM_DELETE_WINDOW_MS: intVar(0, 365 * 24 * 3600_000).default(DEFAULT_DELETE_WINDOW_MS),
  /**
   * How long a node collects its users' online / offline changes before telling their contacts:
   * one `presence` frame per recipient socket and one record per node per window, whatever the
   * number of sockets that came or went (a node dying with thousands of them).
   */
  DIM_PRESENCE_COALESCE_MS: intVar(10, 60_000).default(DEFAULT_PRESENCE_COALESCE_MS),
  /**
   * Drain (SIGTERM or CoreNode.drain()): the window over which the node closes its sockets in
   * random order, at an even capped rate, before it stops. 0: close them all at once.
   */
  DIM_DRAIN_MS: intVar(0, 600_000).default(DEFAULT_DRAIN_MS),
  /** Messages whose Web Pushes a node works on at once; also the most push requests in flight. */
  DIM_PUSH_CONCURRENCY: intVar(1, 1000).default(8),
  /** Deadline of one request to a push service. */
  DIM_PUSH_TIMEOUT_MS: intVar(100, 120_000).default(10_000),
  /** Further attempts of a push after a 429, a 5xx, a network error or the deadline (0: none). */
  DIM_PUSH_RETRIES: intVar(0, 10).default(2),
  /** First retry delay (doubled per attempt, at most a minute; a Retry-After wins). */
  DIM_PUSH_RETRY_MS: intVar(10, 60_000).default(1_000),
  /** Messages waiting for their pushes beyond which further ones are dropped (counted in dim_node_web_pushes_total{outcome="dropped"}). */
  DIM_PUSH_QUEUE_MAX: intVar(1).default(10_000),
  /** How long a push service keeps an undelivered push, in seconds (the TTL header). */
  DIM_PUSH_TTL_S: intVar(0, 28 * 24 * 3600).default(24 * 3600),
  /** PostgreSQL, the source of truth. */
  DATABASE_URL: databaseUrlVar(),
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
  maxSocketsPerUser: env.DIM_MAX_SOCKETS_PER_USER,
  rateLimitPerSec: env.DIM_SEND_RATE_PER_SEC,
  rateLimitBurst: env.DIM_SEND_BURST,
  maxBufferedBytes: env.DIM_MAX_BUFFERED_BYTES,
  presenceTtlMs: env.DIM_PRESENCE_TTL_MS,
  routeCacheTtlMs: env.DIM_ROUTE_CACHE_TTL_MS,
  routeAckTimeoutMs: env.DIM_ROUTE_ACK_TIMEOUT_MS,
  cursorCollectMs: env.DIM_CURSOR_COLLECT_MS,
  groupReceiptCoalesceMs: env.DIM_GROUP_RECEIPT_COALESCE_MS,
  membersCacheMax: env.DIM_MEMBERS_CACHE_MAX,
  peerListTtlMs: env.DIM_PEER_LIST_TTL_MS,
  /** The store applies them (openDatabase's eventWindows); CoreNode itself does not read them. */
  eventWindows: { editWindowMs: env.DIM_EDIT_WINDOW_MS, deleteWindowMs: env.DIM_DELETE_WINDOW_MS },
  presenceCoalesceMs: env.DIM_PRESENCE_COALESCE_MS,
  drainMs: env.DIM_DRAIN_MS,
  /** With the VAPID keys (pushConfigSchema), what main.ts hands to CoreNode's push. */
  pushSender: {
    concurrency: env.DIM_PUSH_CONCURRENCY,
    timeoutMs: env.DIM_PUSH_TIMEOUT_MS,
    retries: env.DIM_PUSH_RETRIES,
    retryBaseMs: env.DIM_PUSH_RETRY_MS,
    queueMax: env.DIM_PUSH_QUEUE_MAX,
    ttlSeconds: env.DIM_PUSH_TTL_S,
  },
  databaseUrl: env.DATABASE_URL,
}));

/** The parsed configuration; `tokenSecret` may still be unset (main.ts resolves it per mode). */
export type CoreNodeEnvConfig = z.infer<typeof coreNodeConfigSchema>;
/** What `CoreNode` needs: the parsed configuration with its token secret resolved. */
export type CoreNodeConfig = Omit<CoreNodeEnvConfig, "tokenSecret" | "databaseUrl" | "eventWindows" | "pushSender"> & { tokenSecret: string };

export function loadCoreNodeConfig(env: Record<string, string | undefined>): CoreNodeEnvConfig {
  return loadConfig(coreNodeConfigSchema, env, "core node");
}

/**
 * Everything a node process reads at boot (main.ts): this node's options and the infrastructure
 * choice (DIM_MODE, Kafka / ZooKeeper / Redis addresses — see @dim/infra's infraConfigSchema) and
 * the metrics listener (DIM_METRICS_* — @dim/shared/metrics' metricsConfigSchema),
 * validated together so one error lists every bad variable.
 */
export const nodeProcessConfigSchema = envSections({ node: coreNodeConfigSchema, infra: infraConfigSchema, metrics: metricsConfigSchema, push: pushConfigSchema }).superRefine((c, ctx) => {
  if (c.infra.DIM_MODE === "cluster" && c.node.tokenSecret === undefined) {
    ctx.addIssue({ code: "custom", path: ["node", "DIM_TOKEN_SECRET"], message: TOKEN_SECRET_REQUIRED });
  }
});
export type NodeProcessConfig = z.infer<typeof nodeProcessConfigSchema>;

export function loadNodeProcessConfig(env: Record<string, string | undefined>): NodeProcessConfig {
  return loadConfig(nodeProcessConfigSchema, env, "core node");
}
