/**
 * The gateway as a fetch handler: tRPC at /api/trpc with our origin, body-size and batch limits
 * in front, and the file routes at /api/files (attachments/file-routes.ts). web/ (Next.js) mounts
 * `fetchHandler` for both; tests and the benchmark serve it with startStandaloneGateway.
 */
import { randomUUID } from "node:crypto";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import type { MessageStore } from "@dim/db";
import { MemoryRateStore, type BlobStore, type Bus, type Presence, type RateStore, type Registry } from "@dim/infra";
import { AppError, ErrorCode } from "@dim/shared";
import { createLogger, runReadiness, type Logger, type ReadinessReport } from "@dim/shared/node";
import { createAssignStrategy, type AssignStrategy } from "./assign/strategies";
import { collectUnsent } from "./attachments/attachment-rows";
import { collectDeletedBlobs } from "./attachments/collect-deleted";
import { handleFileRoute, isFileRoute, type FileRouteDeps } from "./attachments/file-routes";
import { errorResponse, internalError } from "./attachments/file-response";
import { dummyPasswordHash } from "./auth/password";
import { RateLimiter } from "./auth/rate-limiter";
import { SESSION_COOKIE } from "./auth/session";
import { resolveGatewayConfig, type GatewayConfig, type GatewayConfigInput } from "./config";
import type { Context, GatewayServices } from "./context";
import type { Db } from "./db";
import { busGroupEvents } from "./groups/bus-group-events";
import { busContactEvents, NO_CONTACT_EVENTS, type ContactEvents } from "./contacts/contact-events";
import { NO_GROUP_EVENTS, type GroupEvents } from "./groups/group-events";
import { createLinkPreviews } from "./link-preview/link-previews";
import { readCookie } from "./http/cookies";
import { earlyErrorResponse } from "./http/error-response";
import { classifyOrigin, corsHeaders, PREFLIGHT_HEADERS } from "./http/origin";
import { readCappedBody } from "./http/read-capped-body";
import { GatewayMetrics } from "./metrics/gateway-metrics";
import { withRefusalStatus } from "./http/refusal-status";
import { appRouter, type AppRouter } from "./root";
import { appErrorOf } from "./trpc";
import { createSqlRows, type PgPool } from "./sql";

export const TRPC_ENDPOINT = "/api/trpc";

export interface GatewayDeps {
  prisma: Db;
  /**
   * A node-postgres pool (createPgPool) for the statements every request makes (session,
   * membership) as prepared statements; without it they go through Prisma. Pass the same pool to
   * the store (`new PrismaMessageStore(prisma, { pool })`) so history pages use it too. Not
   * ended by the gateway.
   */
  pool?: PgPool;
  store: MessageStore;
  registry: Registry;
  /** Both presence and bus are needed for read receipts from markRead; without them it only stores. */
  presence?: Presence;
  bus?: Bus;
  /**
   * Told after every committed membership or group change, to reach the core nodes. Default:
   * over the bus (groups/bus-group-events.ts) when bus and presence are given, else nothing
   * (changes are only committed: clients learn of them by sync, `welcome` and `conversations.list`).
   */
  groupEvents?: GroupEvents;
  /** Contact news (contacts/contact-events.ts). Default: over the bus when bus and presence are given, else nothing. */
  contactEvents?: ContactEvents;
  /**
   * Where attachment bytes go (createBlobStore: disk in embedded mode, S3 in cluster mode). Without
   * it the file routes answer 503. Not closed by the gateway.
   */
  blobs?: BlobStore;
  /**
   * Where the throttles keep their token buckets (`infra.rates`: shared by every gateway on the
   * same database or Redis, so limits hold across processes). Default: this process's memory
   * (limits per process). Not closed by the gateway.
   */
  rates?: RateStore;
  config: GatewayConfigInput;
  logger?: Logger;
  /** Overrides config.assignStrategy with a strategy of your own. */
  assignStrategy?: AssignStrategy;
  /** Where calls are counted; default: a registry of the gateway's own (`gateway.metrics`). */
  metrics?: GatewayMetrics;
}

export interface RequestInfo {
  /** The peer address, when the server knows it (ignored when trustProxy takes X-Forwarded-For). */
  clientIp?: string | null;
}

export interface Gateway {
  readonly router: AppRouter;
  readonly config: GatewayConfig;
  /** Its counters; serve `metrics.registry` with startMetricsServer (@dim/shared/metrics). */
  readonly metrics: GatewayMetrics;
  fetchHandler(req: Request, info?: RequestInfo): Promise<Response>;
  /** `GET /readyz`: the database answers, and the gateway is not closing. */
  readiness(): Promise<ReadinessReport>;
  /** Idempotent. The gateway owns no connections: the caller closes prisma and infra it passed in. */
  close(): Promise<void>;
}

function bearerToken(req: Request): string | null {
  const header = req.headers.get("authorization");
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1] ?? null;
}

function sessionTokenOf(req: Request): string | null {
  return bearerToken(req) ?? readCookie(req.headers.get("cookie"), SESSION_COOKIE);
}

/**
 * With trustProxy, one trusted hop: the right-most X-Forwarded-For entry is the address our proxy
 * saw (entries to its left come from the client and can be forged).
 */
function clientIpOf(req: Request, info: RequestInfo | undefined, trustProxy: boolean): string | null {
  if (trustProxy) {
    const forwarded = req.headers.get("x-forwarded-for")?.split(",").at(-1)?.trim();
    if (forwarded) return forwarded;
  }
  return info?.clientIp ?? null;
}

function isHttps(req: Request): boolean {
  if (req.url.startsWith("https:")) return true;
  // Only ever makes the cookie stricter, so it is safe to believe without trustProxy.
  return req.headers.get("x-forwarded-proto")?.split(",")[0]?.trim() === "https";
}

export function createGateway(deps: GatewayDeps): Gateway {
  const config = resolveGatewayConfig(deps.config);
  const logger = deps.logger ?? createLogger("gateway");
  const metrics = deps.metrics ?? new GatewayMetrics();
  const rates = deps.rates ?? new MemoryRateStore();
  const limiter = (name: string, capacity: number, windowMs: number) => new RateLimiter(rates, name, { capacity, windowMs });
  const services: GatewayServices = {
    prisma: deps.prisma,
    sql: createSqlRows(deps.prisma, deps.pool),
    store: deps.store,
    registry: deps.registry,
    ...(deps.presence ? { presence: deps.presence } : {}),
    ...(deps.bus ? { bus: deps.bus } : {}),
    groupEvents:
      deps.groupEvents ??
      (deps.bus && deps.presence ? busGroupEvents({ bus: deps.bus, registry: deps.registry, presence: deps.presence, logger }) : NO_GROUP_EVENTS),
    contactEvents:
      deps.contactEvents ??
      (deps.bus && deps.presence ? busContactEvents({ bus: deps.bus, registry: deps.registry, presence: deps.presence, logger }) : NO_CONTACT_EVENTS),
    config,
    logger,
    assignStrategy: deps.assignStrategy ?? createAssignStrategy(config.assignStrategy),
    metrics,
    linkPreviews: createLinkPreviews({
      prisma: deps.prisma,
      config,
      limiter: limiter("link-preview-user", config.linkPreviewMaxPerUser, config.linkPreviewWindowMs),
      logger: logger.child({ part: "link-previews" }),
    }),
    limiters: {
      loginByUsername: limiter("login-user", config.loginMaxAttempts, config.loginWindowMs),
      loginByIp: limiter("login-ip", config.loginMaxAttemptsPerIp, config.loginWindowMs),
      registerByIp: config.registerMaxPerIp > 0 ? limiter("register-ip", config.registerMaxPerIp, config.registerWindowMs) : null,
      searchByUser: limiter("search-user", config.searchMaxPerUser, config.searchWindowMs),
      groupWritesByUser: limiter("group-writes-user", config.groupWritesMaxPerUser, config.groupWritesWindowMs),
    },
  };
  const files: FileRouteDeps | null = deps.blobs
    ? {
        prisma: deps.prisma,
        sql: services.sql,
        blobs: deps.blobs,
        config,
        logger,
        uploadsByUser: limiter("uploads-user", config.uploadsMaxPerUser, config.uploadWindowMs),
      }
    : null;
  const sweep =
    files && config.uploadSweepMs > 0
      ? setInterval(() => {
          collectUnsent(files.prisma, files.blobs, config.uploadUnsentTtlMs)
            .then((n) => n > 0 && logger.info({ collected: n }, "unsent uploads collected"))
            .catch((err: unknown) => logger.warn({ err }, "collecting unsent uploads failed"));
          collectDeletedBlobs(files.prisma, files.blobs)
            .then((n) => n > 0 && logger.info({ collected: n }, "blobs of deleted messages collected"))
            .catch((err: unknown) => logger.warn({ err }, "collecting blobs of deleted messages failed"));
        }, config.uploadSweepMs)
      : null;
  sweep?.unref();
  // Computed now so the first unknown-user login costs the same as any other.
  void dummyPasswordHash();
  const policy = { allowedOrigins: config.allowedOrigins, trustProxy: config.trustProxy };
  let closed = false;

  async function handle(req: Request, info: RequestInfo | undefined): Promise<Response> {
    const origin = req.headers.get("origin");
    const originClass = classifyOrigin(req, policy);
    const cors = originClass === "allowed" && origin ? corsHeaders(origin) : {};
    // The file routes answer every error in their own typed shape (fileRouteError), never tRPC's.
    const fileRoute = isFileRoute(new URL(req.url).pathname);

    if (closed) {
      if (fileRoute) return errorResponse(new AppError(ErrorCode.Internal, "gateway is shutting down"), cors, 503);
      return new Response(JSON.stringify({ error: { message: "gateway is shutting down" } }), {
        status: 503,
        headers: { "content-type": "application/json", ...cors },
      });
    }
    if (req.method === "OPTIONS") {
      if (originClass === "denied") return new Response(null, { status: 403 });
      return new Response(null, { status: 204, headers: { ...cors, ...PREFLIGHT_HEADERS } });
    }
    const safeMethod = req.method === "GET" || req.method === "HEAD";
    if (originClass === "denied" && !safeMethod) {
      logger.warn({ origin, method: req.method }, "cross-origin request refused");
      const message = `origin '${origin}' is not allowed`;
      if (fileRoute) return errorResponse(new AppError(ErrorCode.Forbidden, message));
      return earlyErrorResponse(req, TRPC_ENDPOINT, "FORBIDDEN", ErrorCode.Forbidden, message);
    }
    if (fileRoute) {
      if (!files) return errorResponse(new AppError(ErrorCode.Internal, "attachments are not configured"), cors, 503);
      return handleFileRoute(files, req, sessionTokenOf(req), cors);
    }
    if (!safeMethod) {
      const body = await readCappedBody(req, config.maxBodyBytes);
      if (body === null) {
        return earlyErrorResponse(
          req,
          TRPC_ENDPOINT,
          "PAYLOAD_TOO_LARGE",
          ErrorCode.PayloadTooLarge,
          `request body is larger than ${config.maxBodyBytes} bytes`,
          cors,
        );
      }
      req = new Request(req.url, { method: req.method, headers: req.headers, body });
    }

    const request = req;
    const response = await fetchRequestHandler({
      endpoint: TRPC_ENDPOINT,
      req: request,
      router: appRouter,
      maxBatchSize: config.maxBatchSize,
      onError: ({ error }) => metrics.errors[appErrorOf(error).code]?.inc(),
      createContext: ({ resHeaders }): Context => ({
        ...services,
        sessionToken: sessionTokenOf(request),
        clientIp: clientIpOf(request, info, config.trustProxy),
        userAgent: request.headers.get("user-agent"),
        origin,
        secure: isHttps(request),
        resHeaders,
        log: logger.child({ reqId: randomUUID().slice(0, 8) }),
      }),
    });
    for (const [k, v] of Object.entries(cors)) response.headers.set(k, v);
    return response;
  }

  return {
    router: appRouter,
    config,
    metrics,
    async fetchHandler(req, info) {
      try {
        return withRefusalStatus(req, await handle(req, info));
      } catch (err) {
        logger.error({ err }, "gateway request failed");
        if (isFileRoute(new URL(req.url).pathname)) return internalError();
        return earlyErrorResponse(req, TRPC_ENDPOINT, "INTERNAL_SERVER_ERROR", ErrorCode.Internal, "internal error");
      }
    },
    readiness() {
      return runReadiness({
        open: () => {
          if (closed) throw new Error("the gateway is shutting down");
        },
        database: () => (deps.pool ? deps.pool.query("SELECT 1") : deps.prisma.$queryRaw`SELECT 1`),
      });
    },
    async close() {
      closed = true;
      if (sweep) clearInterval(sweep);
    },
  };
}
