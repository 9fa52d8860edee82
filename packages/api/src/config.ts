/**
 * The gateway's configuration: one zod schema over the environment, validated at boot with
 * loadConfig. Everything else in @dim/api receives the parsed, camel-cased `GatewayConfig`.
 */
import { z } from "zod";
import { DEFAULT_SOCKET_TOKEN_TTL_MS } from "@dim/shared";
import { embeddedTokenSecret, loadConfig } from "@dim/shared/node";
import { ASSIGN_STRATEGIES, type AssignStrategyName } from "./assign/strategies";

export interface GatewayConfig {
  /** Secret shared with the core nodes; signs socket tokens. */
  tokenSecret: string;
  assignStrategy: AssignStrategyName;
  socketTokenTtlMs: number;
  sessionTtlMs: number;
  /** Login attempts per username per window (per gateway process). */
  loginMaxAttempts: number;
  /** Login attempts per client IP per window (per gateway process). */
  loginMaxAttemptsPerIp: number;
  loginWindowMs: number;
  /** Registrations per client IP per window (per gateway process); 0 disables the limit. */
  registerMaxPerIp: number;
  registerWindowMs: number;
  /** `users.search` calls per user per window (per gateway process). */
  searchMaxPerUser: number;
  searchWindowMs: number;
  /**
   * Origins (scheme://host[:port]) allowed to call the gateway from a browser besides its own.
   * A state-changing request whose Origin is neither same-origin nor listed gets 403.
   */
  allowedOrigins: string[];
  /**
   * Behind one proxy you trust (Next.js's own server counts): take the client IP from the
   * right-most X-Forwarded-For entry and the host from X-Forwarded-Host. Otherwise the IP comes
   * from the server adapter (startStandaloneGateway passes the socket's peer address).
   */
  trustProxy: boolean;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes: number;
  /** Most calls in one batched request. */
  maxBatchSize: number;
  /** Most active members of a group, its owner included. */
  groupMaxMembers: number;
  /** Most groups a user is an active member of. */
  groupsPerUserMax: number;
  /** `groups.*` changes per user per window (per gateway process). */
  groupWritesMaxPerUser: number;
  groupWritesWindowMs: number;
}

export const GATEWAY_DEFAULTS: Omit<GatewayConfig, "tokenSecret"> = {
  assignStrategy: "round-robin",
  socketTokenTtlMs: DEFAULT_SOCKET_TOKEN_TTL_MS,
  sessionTtlMs: 30 * 24 * 60 * 60 * 1000,
  loginMaxAttempts: 10,
  loginMaxAttemptsPerIp: 50,
  loginWindowMs: 5 * 60 * 1000,
  registerMaxPerIp: 30,
  registerWindowMs: 10 * 60 * 1000,
  searchMaxPerUser: 120,
  searchWindowMs: 60 * 1000,
  allowedOrigins: ["http://localhost:3000", "http://127.0.0.1:3000"],
  trustProxy: false,
  maxBodyBytes: 64 * 1024,
  maxBatchSize: 16,
  groupMaxMembers: 1000,
  groupsPerUserMax: 500,
  groupWritesMaxPerUser: 120,
  groupWritesWindowMs: 60 * 1000,
};

/** What callers (tests, web/, the benchmark) pass: a token secret plus any overrides. */
export type GatewayConfigInput = Partial<GatewayConfig> & { tokenSecret: string };

export function resolveGatewayConfig(input: GatewayConfigInput): GatewayConfig {
  const config = { ...GATEWAY_DEFAULTS, ...input };
  if (config.tokenSecret.length < 16) throw new Error("tokenSecret must hold at least 16 characters");
  return config;
}

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const nonNegativeInt = (fallback: number) => z.coerce.number().int().nonnegative().default(fallback);
const boolFlag = z
  .enum(["0", "1", "true", "false"])
  .default("0")
  .transform((v) => v === "1" || v === "true");
const origin = z.string().refine((s) => {
  try {
    return new URL(s).origin === s;
  } catch {
    return false;
  }
}, "each origin must be scheme://host[:port] with no path or trailing slash");

export const DEFAULT_DATABASE_URL = "postgresql://postgres:dim@127.0.0.1:54320/dim";

/** Environment variables of the gateway (the infra ones are in @dim/infra's infraConfigSchema). */
export const gatewayEnvSchema = z
  .object({
    DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, "must be a postgresql:// URL").default(DEFAULT_DATABASE_URL),
    DIM_MODE: z.enum(["embedded", "cluster"]).default("embedded"),
    /** Required in cluster mode; in embedded mode the shared file .data/token-secret is used. */
    DIM_TOKEN_SECRET: z.string().min(16).optional(),
    DIM_ASSIGN_STRATEGY: z.enum(ASSIGN_STRATEGIES).default(GATEWAY_DEFAULTS.assignStrategy),
    DIM_SOCKET_TOKEN_TTL_MS: positiveInt(GATEWAY_DEFAULTS.socketTokenTtlMs),
    DIM_SESSION_TTL_MS: positiveInt(GATEWAY_DEFAULTS.sessionTtlMs),
    DIM_LOGIN_MAX_ATTEMPTS: positiveInt(GATEWAY_DEFAULTS.loginMaxAttempts),
    DIM_LOGIN_MAX_ATTEMPTS_PER_IP: positiveInt(GATEWAY_DEFAULTS.loginMaxAttemptsPerIp),
    DIM_LOGIN_WINDOW_MS: positiveInt(GATEWAY_DEFAULTS.loginWindowMs),
    DIM_REGISTER_MAX_PER_IP: nonNegativeInt(GATEWAY_DEFAULTS.registerMaxPerIp),
    DIM_REGISTER_WINDOW_MS: positiveInt(GATEWAY_DEFAULTS.registerWindowMs),
    DIM_SEARCH_MAX_PER_USER: positiveInt(GATEWAY_DEFAULTS.searchMaxPerUser),
    DIM_SEARCH_WINDOW_MS: positiveInt(GATEWAY_DEFAULTS.searchWindowMs),
    DIM_ALLOWED_ORIGINS: z
      .string()
      .default(GATEWAY_DEFAULTS.allowedOrigins.join(","))
      .transform((s) =>
        s
          .split(",")
          .map((o) => o.trim())
          .filter(Boolean),
      )
      .pipe(z.array(origin)),
    DIM_TRUST_PROXY: boolFlag,
    DIM_GATEWAY_MAX_BODY_BYTES: positiveInt(GATEWAY_DEFAULTS.maxBodyBytes),
    DIM_GATEWAY_MAX_BATCH: positiveInt(GATEWAY_DEFAULTS.maxBatchSize),
    DIM_GROUP_MAX_MEMBERS: positiveInt(GATEWAY_DEFAULTS.groupMaxMembers),
    DIM_GROUPS_PER_USER_MAX: positiveInt(GATEWAY_DEFAULTS.groupsPerUserMax),
    DIM_GROUP_WRITES_MAX_PER_USER: positiveInt(GATEWAY_DEFAULTS.groupWritesMaxPerUser),
    DIM_GROUP_WRITES_WINDOW_MS: positiveInt(GATEWAY_DEFAULTS.groupWritesWindowMs),
  })
  .refine((env) => env.DIM_MODE !== "cluster" || env.DIM_TOKEN_SECRET !== undefined, {
    message: "DIM_TOKEN_SECRET is required in cluster mode",
    path: ["DIM_TOKEN_SECRET"],
  });

export interface GatewayEnvConfig extends GatewayConfig {
  databaseUrl: string;
  mode: "embedded" | "cluster";
}

/** Validates the environment (throws AppError INVALID_CONFIG listing every bad variable). */
export function loadGatewayConfig(env: Record<string, string | undefined> = process.env): GatewayEnvConfig {
  const e = loadConfig(gatewayEnvSchema, env, "gateway");
  return {
    databaseUrl: e.DATABASE_URL,
    mode: e.DIM_MODE,
    tokenSecret: e.DIM_TOKEN_SECRET ?? embeddedTokenSecret(),
    assignStrategy: e.DIM_ASSIGN_STRATEGY,
    socketTokenTtlMs: e.DIM_SOCKET_TOKEN_TTL_MS,
    sessionTtlMs: e.DIM_SESSION_TTL_MS,
    loginMaxAttempts: e.DIM_LOGIN_MAX_ATTEMPTS,
    loginMaxAttemptsPerIp: e.DIM_LOGIN_MAX_ATTEMPTS_PER_IP,
    loginWindowMs: e.DIM_LOGIN_WINDOW_MS,
    registerMaxPerIp: e.DIM_REGISTER_MAX_PER_IP,
    registerWindowMs: e.DIM_REGISTER_WINDOW_MS,
    searchMaxPerUser: e.DIM_SEARCH_MAX_PER_USER,
    searchWindowMs: e.DIM_SEARCH_WINDOW_MS,
    allowedOrigins: e.DIM_ALLOWED_ORIGINS,
    trustProxy: e.DIM_TRUST_PROXY,
    maxBodyBytes: e.DIM_GATEWAY_MAX_BODY_BYTES,
    maxBatchSize: e.DIM_GATEWAY_MAX_BATCH,
    groupMaxMembers: e.DIM_GROUP_MAX_MEMBERS,
    groupsPerUserMax: e.DIM_GROUPS_PER_USER_MAX,
    groupWritesMaxPerUser: e.DIM_GROUP_WRITES_MAX_PER_USER,
    groupWritesWindowMs: e.DIM_GROUP_WRITES_WINDOW_MS,
  };
}
