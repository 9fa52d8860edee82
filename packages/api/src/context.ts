/**
 * What every procedure receives. `GatewayServices` is built once per gateway; the rest is per
 * request.
 */
import type { MessageStore } from "@dim/db";
import type { Bus, Presence, Registry } from "@dim/infra";
import type { Logger } from "@dim/shared/node";
import type { AssignStrategy } from "./assign/strategies";
import type { RateLimiter } from "./auth/rate-limiter";
import type { GatewayConfig } from "./config";
import type { Db } from "./db";
import type { GroupEvents } from "./groups/group-events";
import type { LinkPreviews } from "./link-preview/link-previews";
import type { ContactEvents } from "./contacts/contact-events";
import type { GatewayMetrics } from "./metrics/gateway-metrics";
import type { SqlRows } from "./sql";

export interface GatewayServices {
  prisma: Db;
  /** The hot statements (session, membership): prepared on the gateway's pool when it has one. */
  sql: SqlRows;
  store: MessageStore;
  registry: Registry;
  /** With bus: markRead tells the other members' nodes (read receipts). Optional. */
  presence?: Presence;
  bus?: Bus;
  /** Told after every committed membership or group change (groups/group-events.ts). */
  groupEvents: GroupEvents;
  /** Told after every committed contact change: pushes `contacts` frames, drops node caches. */
  contactEvents: ContactEvents;
  config: GatewayConfig;
  logger: Logger;
  assignStrategy: AssignStrategy;
  /** Calls, latencies, logins and errors (metrics/gateway-metrics.ts). */
  metrics: GatewayMetrics;
  /** conversations.linkPreview: the cache and the guarded fetcher (link-preview/). */
  linkPreviews: LinkPreviews;
  limiters: {
    loginByUsername: RateLimiter;
    loginByIp: RateLimiter;
    registerByIp: RateLimiter | null;
    searchByUser: RateLimiter;
    groupWritesByUser: RateLimiter;
  };
}

export interface Context extends GatewayServices {
  /** From `Authorization: Bearer <token>`, else the `dim_session` cookie. */
  sessionToken: string | null;
  /** null when unknown (then per-IP limits do not apply). */
  clientIp: string | null;
  /** The request's User-Agent (stored with a new session: the sessions list, the admin's user lookup). */
  userAgent: string | null;
  origin: string | null;
  /** The request arrived over https (directly or per X-Forwarded-Proto): cookies get `Secure`. */
  secure: boolean;
  /** Response headers (Set-Cookie, Retry-After). */
  resHeaders: Headers;
  /** Request-scoped logger. */
  log: Logger;
}
