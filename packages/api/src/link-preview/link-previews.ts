/**
 * Link previews as the gateway serves them: a cache shared by every gateway (the link_previews
 * table: a preview for a day, a failure for an hour), one fetch per URL at a time per process,
 * and fetches (cache misses) throttled per user through the shared RateStore.
 */
import { createHash } from "node:crypto";
import type { LinkPreview } from "@dim/shared";
import type { Logger } from "@dim/shared/node";
import { rateLimited, type RateLimiter } from "../auth/rate-limiter";
import type { GatewayConfig } from "../config";
import type { Db } from "../db";
import { parseCidr, type Cidr } from "./address-guard";
import { fetchPage, type FetchLimits } from "./fetch-page";
import { parsePreview } from "./parse-preview";

const HOUR_MS = 60 * 60 * 1000;
/** How long a fetched preview, and a failure, are served from the cache. */
export const PREVIEW_TTL_MS = { ok: 24 * HOUR_MS, failed: HOUR_MS } as const;
export const PREVIEW_MAX_REDIRECTS = 3;

export interface LinkPreviews {
  /** The preview of `url` (a message's first link) for `userId`; null when the page gives none. RATE_LIMITED past the user's budget. */
  previewOf(url: string, userId: string): Promise<LinkPreview | null>;
}

export interface LinkPreviewDeps {
  prisma: Db;
  config: Pick<GatewayConfig, "linkPreviews" | "linkPreviewTimeoutMs" | "linkPreviewMaxBytes" | "linkPreviewAllowCidrs">;
  limiter: RateLimiter;
  logger: Logger;
  now?: () => number;
}

export function createLinkPreviews(deps: LinkPreviewDeps): LinkPreviews {
  const { prisma, config, limiter, logger } = deps;
  const now = deps.now ?? Date.now;
  const limits: FetchLimits = {
    maxBytes: config.linkPreviewMaxBytes,
    timeoutMs: config.linkPreviewTimeoutMs,
    maxRedirects: PREVIEW_MAX_REDIRECTS,
    allow: config.linkPreviewAllowCidrs.map((c) => parseCidr(c)).filter((c): c is Cidr => c !== null),
  };
  if (limits.allow.length > 0) logger.warn({ allow: config.linkPreviewAllowCidrs }, "link previews may reach the DIM_LINK_PREVIEW_ALLOW_CIDRS ranges: for tests only");
  const inFlight = new Map<string, Promise<LinkPreview | null>>();

  async function fetchAndStore(url: string, urlHash: string): Promise<LinkPreview | null> {
    const page = await fetchPage(url, limits);
    const fields = page.ok ? parsePreview(page.body, page.contentType) : null;
    const outcome = page.ok ? (fields ? "ok" : "no_metadata") : page.reason;
    if (page.ok) logger.debug({ urlHash, outcome, truncated: page.truncated, bytes: page.body.length }, "link preview fetched");
    else logger.info({ urlHash, outcome, detail: page.detail }, "no link preview");
    const row = { url, outcome, title: fields?.title ?? null, description: fields?.description ?? null, siteName: fields?.siteName ?? null, fetchedAt: new Date(now()) };
    await prisma.linkPreview.upsert({ where: { urlHash }, create: { urlHash, ...row }, update: row });
    return fields ? { url, ...fields } : null;
  }

  return {
    async previewOf(url, userId) {
      if (!config.linkPreviews) return null;
      const urlHash = createHash("sha256").update(url).digest("hex");
      const cached = await prisma.linkPreview.findUnique({ where: { urlHash } });
      if (cached && cached.url === url) {
        const ttl = cached.outcome === "ok" ? PREVIEW_TTL_MS.ok : PREVIEW_TTL_MS.failed;
        if (now() - cached.fetchedAt.getTime() < ttl) {
          return cached.outcome === "ok" ? { url, title: cached.title, description: cached.description, siteName: cached.siteName } : null;
        }
      }
      const running = inFlight.get(urlHash);
      if (running) return running;
      const taken = await limiter.take(userId);
      if (!taken.ok) throw rateLimited(taken.retryAfterMs, "link previews");
      const job = fetchAndStore(url, urlHash).finally(() => inFlight.delete(urlHash));
      inFlight.set(urlHash, job);
      return job;
    },
  };
}
