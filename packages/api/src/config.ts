/**
 * The gateway's configuration, each option written once: a zod schema over the environment (its
 * default and meaning beside it), transformed into the camel-cased `GatewayConfig` the rest of
 * @dim/api receives. GATEWAY_DEFAULTS are that schema's answer to an empty environment; code that
 * builds a gateway itself (tests, the benchmark) passes a token secret plus overrides of them.
 */
import { z } from "zod";
import { AppError, DEFAULT_SOCKET_TOKEN_TTL_MS, ErrorCode } from "@dim/shared";
import {
  csvVar,
  databaseUrlVar,
  DEFAULT_ALLOWED_ORIGINS,
  envSections,
  flagVar,
  intVar,
  loadConfig,
  modeVar,
  pushConfigSchema,
  resolvePushConfig,
  resolveTokenSecret,
  tokenSecretVar,
} from "@dim/shared/node";
import { metricsConfigSchema, type MetricsConfig } from "@dim/shared/metrics";
import { blobConfigSchema, infraConfigSchema, type BlobConfig, type InfraConfig } from "@dim/infra";
import { ASSIGN_STRATEGIES } from "./assign/strategies";
import { parseCidr } from "./link-preview/address-guard";

const MINUTE_MS = 60 * 1000;

const origin = z.string().refine((s) => {
  try {
    return new URL(s).origin === s;
  } catch {
    return false;
  }
}, "each origin must be scheme://host[:port] with no path or trailing slash");

/** Environment variables of the gateway (the infra ones are in @dim/infra's infraConfigSchema). */
export const gatewayEnvSchema = z
  .object({
    DATABASE_URL: databaseUrlVar(),
    DIM_MODE: modeVar(),
    /** Secret shared with the core nodes; signs socket tokens. Required in cluster mode; embedded mode uses .data/token-secret. */
    DIM_TOKEN_SECRET: tokenSecretVar(),
    /** How nodes.assign picks a live node. */
    DIM_ASSIGN_STRATEGY: z.enum(ASSIGN_STRATEGIES).default("round-robin"),
    DIM_SOCKET_TOKEN_TTL_MS: intVar(1).default(DEFAULT_SOCKET_TOKEN_TTL_MS),
    DIM_SESSION_TTL_MS: intVar(1).default(30 * 24 * 60 * MINUTE_MS),
    /** Login attempts per username per window (per gateway process). */
    DIM_LOGIN_MAX_ATTEMPTS: intVar(1).default(10),
    /** Login attempts per client IP per window (per gateway process). */
    DIM_LOGIN_MAX_ATTEMPTS_PER_IP: intVar(1).default(50),
    DIM_LOGIN_WINDOW_MS: intVar(1).default(5 * MINUTE_MS),
    /** Registrations per client IP per window (per gateway process); 0 disables the limit. */
    DIM_REGISTER_MAX_PER_IP: intVar(0).default(30),
    DIM_REGISTER_WINDOW_MS: intVar(1).default(10 * MINUTE_MS),
    /** `users.search` calls per user per window (per gateway process). */
    DIM_SEARCH_MAX_PER_USER: intVar(1).default(120),
    DIM_SEARCH_WINDOW_MS: intVar(1).default(MINUTE_MS),
    /**
     * Origins (scheme://host[:port]) allowed to call the gateway from a browser besides its own.
     * A state-changing request whose Origin is neither same-origin nor listed gets 403.
     */
    DIM_ALLOWED_ORIGINS: csvVar(DEFAULT_ALLOWED_ORIGINS).pipe(z.array(origin)),
    /**
     * Behind one proxy you trust that appends the peer it saw to X-Forwarded-For (nginx's
     * $proxy_add_x_forwarded_for): take the client IP from the right-most entry and the host from
     * X-Forwarded-Host. Otherwise the IP comes from the server adapter: the socket's peer address
     * (startStandaloneGateway; web/scripts/serve-web.ts for Next.js). Next.js's own server does
     * NOT count as a proxy: it keeps a client-sent X-Forwarded-For unchanged.
     */
    DIM_TRUST_PROXY: flagVar(false),
    /** Largest request body accepted, in bytes. */
    DIM_GATEWAY_MAX_BODY_BYTES: intVar(1).default(64 * 1024),
    /** Most calls in one batched request. */
    DIM_GATEWAY_MAX_BATCH: intVar(1).default(16),
    /** Most active members of a group, its owner included. */
    DIM_GROUP_MAX_MEMBERS: intVar(1).default(1000),
    /** Most groups a user is an active member of. */
    DIM_GROUPS_PER_USER_MAX: intVar(1).default(500),
    /** `groups.*` changes per user per window (per gateway process). */
    DIM_GROUP_WRITES_MAX_PER_USER: intVar(1).default(120),
    DIM_GROUP_WRITES_WINDOW_MS: intVar(1).default(MINUTE_MS),
    /** Largest upload (POST /api/files), in bytes: refused from Content-Length, or cut off while streaming. */
    DIM_UPLOAD_MAX_BYTES: intVar(1).default(25 * 1024 * 1024),
    /** Most pixels (width × height × frames) of an uploaded image: a decompression bomb is refused. */
    DIM_UPLOAD_MAX_PIXELS: intVar(1).default(50_000_000),
    /** Uploads per user per window (per gateway process). */
    DIM_UPLOADS_MAX_PER_USER: intVar(1).default(30),
    DIM_UPLOAD_WINDOW_MS: intVar(1).default(MINUTE_MS),
    /** Bytes a user may upload in 24 hours (all gateways: counted in the database). */
    DIM_UPLOAD_BYTES_PER_DAY: intVar(1).default(1024 * 1024 * 1024),
    /** An upload no message has sent is deleted (row and unshared blobs) after this long. */
    DIM_UPLOAD_UNSENT_TTL_MS: intVar(1).default(24 * 60 * MINUTE_MS),
    /** How often a gateway looks for such uploads; 0 disables the sweep (another process runs it). */
    DIM_UPLOAD_SWEEP_MS: intVar(0).default(10 * MINUTE_MS),
    /** Link previews (conversations.linkPreview): 0 answers every call with no preview and fetches nothing. */
    DIM_LINK_PREVIEWS: flagVar(true),
    /** One deadline for a preview fetch, redirects included. */
    DIM_LINK_PREVIEW_TIMEOUT_MS: intVar(100, 30_000).default(5000),
    /** Most bytes of a page read (decompressed) for its preview; the rest is cut off. */
    DIM_LINK_PREVIEW_MAX_BYTES: intVar(1024, 4 * 1024 * 1024).default(512 * 1024),
    /** Preview fetches (cache misses) per user per window (all gateways together). */
    DIM_LINK_PREVIEW_MAX_PER_USER: intVar(1).default(60),
    DIM_LINK_PREVIEW_WINDOW_MS: intVar(1).default(MINUTE_MS),
    /**
     * TESTS ONLY: address ranges (CIDRs) the SSRF guard lets previews reach, on any port, because
     * test servers can only listen on loopback. Empty (the default) in every real deployment.
     */
    DIM_LINK_PREVIEW_ALLOW_CIDRS: csvVar("").pipe(
      z.array(z.string().refine((c) => parseCidr(c) !== null, "each entry must be an IPv4 or IPv6 CIDR such as 127.0.0.1/32, with no host bits set")),
    ),
  })
  .refine((env) => env.DIM_MODE !== "cluster" || env.DIM_TOKEN_SECRET !== undefined, {
    message: "DIM_TOKEN_SECRET is required in cluster mode",
    path: ["DIM_TOKEN_SECRET"],
  });

/** The environment, camel-cased; the token secret may still be unset (embedded mode). */
export const gatewayConfigSchema = gatewayEnvSchema.transform((env) => ({
  databaseUrl: env.DATABASE_URL,
  mode: env.DIM_MODE,
  tokenSecret: env.DIM_TOKEN_SECRET,
  assignStrategy: env.DIM_ASSIGN_STRATEGY,
  socketTokenTtlMs: env.DIM_SOCKET_TOKEN_TTL_MS,
  sessionTtlMs: env.DIM_SESSION_TTL_MS,
  loginMaxAttempts: env.DIM_LOGIN_MAX_ATTEMPTS,
  loginMaxAttemptsPerIp: env.DIM_LOGIN_MAX_ATTEMPTS_PER_IP,
  loginWindowMs: env.DIM_LOGIN_WINDOW_MS,
  registerMaxPerIp: env.DIM_REGISTER_MAX_PER_IP,
  registerWindowMs: env.DIM_REGISTER_WINDOW_MS,
  searchMaxPerUser: env.DIM_SEARCH_MAX_PER_USER,
  searchWindowMs: env.DIM_SEARCH_WINDOW_MS,
  allowedOrigins: env.DIM_ALLOWED_ORIGINS,
  trustProxy: env.DIM_TRUST_PROXY,
  maxBodyBytes: env.DIM_GATEWAY_MAX_BODY_BYTES,
  maxBatchSize: env.DIM_GATEWAY_MAX_BATCH,
  groupMaxMembers: env.DIM_GROUP_MAX_MEMBERS,
  groupsPerUserMax: env.DIM_GROUPS_PER_USER_MAX,
  groupWritesMaxPerUser: env.DIM_GROUP_WRITES_MAX_PER_USER,
  groupWritesWindowMs: env.DIM_GROUP_WRITES_WINDOW_MS,
  uploadMaxBytes: env.DIM_UPLOAD_MAX_BYTES,
  uploadMaxPixels: env.DIM_UPLOAD_MAX_PIXELS,
  uploadsMaxPerUser: env.DIM_UPLOADS_MAX_PER_USER,
  uploadWindowMs: env.DIM_UPLOAD_WINDOW_MS,
  uploadBytesPerDay: env.DIM_UPLOAD_BYTES_PER_DAY,
  uploadUnsentTtlMs: env.DIM_UPLOAD_UNSENT_TTL_MS,
  uploadSweepMs: env.DIM_UPLOAD_SWEEP_MS,
  linkPreviews: env.DIM_LINK_PREVIEWS,
  linkPreviewTimeoutMs: env.DIM_LINK_PREVIEW_TIMEOUT_MS,
  linkPreviewMaxBytes: env.DIM_LINK_PREVIEW_MAX_BYTES,
  linkPreviewMaxPerUser: env.DIM_LINK_PREVIEW_MAX_PER_USER,
  linkPreviewWindowMs: env.DIM_LINK_PREVIEW_WINDOW_MS,
  linkPreviewAllowCidrs: env.DIM_LINK_PREVIEW_ALLOW_CIDRS,
}));

type ParsedGatewayConfig = z.output<typeof gatewayConfigSchema>;
/** Web Push as the gateway needs it: the key browsers subscribe with, and which endpoints it accepts. */
export interface GatewayPushConfig {
  publicKey: string;
  allowLoopback: boolean;
}
/** The loaded configuration, with its token secret resolved; `push` absent: Web Push is off (notifications.vapidKey says NOT_FOUND). */
export type GatewayEnvConfig = ParsedGatewayConfig & { tokenSecret: string; push?: GatewayPushConfig | undefined };
/** What the gateway itself uses (where its database is and which mode it runs in are its composition root's business). */
export type GatewayConfig = Omit<GatewayEnvConfig, "databaseUrl" | "mode">;

export const GATEWAY_DEFAULTS: Omit<GatewayConfig, "tokenSecret"> = (() => {
  const { databaseUrl: _url, mode: _mode, tokenSecret: _secret, ...defaults } = gatewayConfigSchema.parse({});
  return defaults;
})();

/** What callers (tests, web/, the benchmark) pass: a token secret plus any overrides. */
export type GatewayConfigInput = Partial<GatewayConfig> & { tokenSecret: string };

export function resolveGatewayConfig(input: GatewayConfigInput): GatewayConfig {
  const config = { ...GATEWAY_DEFAULTS, ...input };
  if (config.tokenSecret.length < 16) throw new AppError(ErrorCode.InvalidConfig, "tokenSecret must hold at least 16 characters");
  return config;
}

function withTokenSecret(config: ParsedGatewayConfig): GatewayEnvConfig {
  return { ...config, tokenSecret: resolveTokenSecret(config.tokenSecret, config.mode) };
}

/** Validates the environment (throws AppError INVALID_CONFIG listing every bad variable). */
export function loadGatewayConfig(env: Record<string, string | undefined> = process.env): GatewayEnvConfig {
  return withTokenSecret(loadConfig(gatewayConfigSchema, env, "gateway"));
}

/**
 * Everything a gateway process reads at boot (createGatewayFromEnv): its own options, the
 * infrastructure choice, the blob store and the metrics listener (DIM_METRICS_*), validated together so one error lists every bad variable.
 */
export const gatewayProcessConfigSchema = envSections({
  gateway: gatewayConfigSchema,
  infra: infraConfigSchema,
  blobs: blobConfigSchema,
  metrics: metricsConfigSchema,
  push: pushConfigSchema,
});

export function loadGatewayProcessConfig(env: Record<string, string | undefined> = process.env): {
  gateway: GatewayEnvConfig;
  infra: InfraConfig;
  blobs: BlobConfig;
  metrics: MetricsConfig;
} {
  const { gateway, infra, blobs, metrics, push } = loadConfig(gatewayProcessConfigSchema, env, "gateway");
  const { vapid, allowLoopback } = resolvePushConfig(push);
  return { gateway: { ...withTokenSecret(gateway), push: { publicKey: vapid.publicKey, allowLoopback } }, infra, blobs, metrics };
}
