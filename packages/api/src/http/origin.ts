/**
 * Browser-origin rules. Non-browser clients send no Origin and are not affected. A browser
 * request from our own origin, or from one listed in DIM_ALLOWED_ORIGINS, is allowed; any other
 * origin may not change state (403) and gets no CORS headers (so it cannot read answers either).
 */

export interface OriginPolicy {
  allowedOrigins: readonly string[];
  trustProxy: boolean;
}

function requestHost(req: Request, trustProxy: boolean): string | null {
  if (trustProxy) {
    const forwarded = req.headers.get("x-forwarded-host")?.split(",").at(-1)?.trim();
    if (forwarded) return forwarded;
  }
  return req.headers.get("host") ?? safeUrl(req.url)?.host ?? null;
}

function safeUrl(s: string): URL | null {
  try {
    return new URL(s);
  } catch {
    return null;
  }
}

export function isSameOrigin(req: Request, origin: string, policy: OriginPolicy): boolean {
  const url = safeUrl(origin);
  return url !== null && url.host === requestHost(req, policy.trustProxy);
}

/** "same" (or no Origin), "allowed" (listed cross-origin), or "denied". */
export function classifyOrigin(req: Request, policy: OriginPolicy): "same" | "allowed" | "denied" {
  const origin = req.headers.get("origin");
  if (origin === null) return "same";
  if (isSameOrigin(req, origin, policy)) return "same";
  return policy.allowedOrigins.includes(origin) ? "allowed" : "denied";
}

export function corsHeaders(origin: string): Record<string, string> {
  return {
    "Access-Control-Allow-Origin": origin,
    "Access-Control-Allow-Credentials": "true",
    Vary: "Origin",
  };
}

export const PREFLIGHT_HEADERS = {
  "Access-Control-Allow-Methods": "GET, HEAD, POST, OPTIONS",
  "Access-Control-Allow-Headers": "content-type, authorization, trpc-accept, x-trpc-source, range, x-dim-refusal-status",
  "Access-Control-Max-Age": "600",
};
