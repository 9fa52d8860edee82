import { NextResponse, type NextRequest } from "next/server";
import { buildCsp, createNonce } from "@/lib/csp";

/**
 * A fresh nonce and Content-Security-Policy for every page request. Next finds the nonce in the
 * request's Content-Security-Policy header and puts it on its own scripts; the root layout reads
 * `x-nonce` for ours. Pages are therefore rendered per request, never prerendered.
 */
export function middleware(request: NextRequest) {
  const nonce = createNonce();
  const csp = buildCsp({ nonce, dev: process.env.NODE_ENV !== "production" });
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("Content-Security-Policy", csp);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("Content-Security-Policy", csp);
  return response;
}

// Pages only. Everything skipped here gets the nonce-less policy from next.config.ts
// (NONCELESS_CSP_SOURCES there lists the same paths): the gateway, static chunks, images,
// the service worker, icons, the emoji data and the manifest. Prefetches carry no document, so no nonce.
export const config = {
  matcher: [
    {
      source: "/((?!api/|livez$|readyz$|_next/static/|_next/image|sw\\.js$|icons/|emojibase/|manifest\\.webmanifest$).*)",
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
  ],
};
