import { getScriptNonceFromHeader } from "next/dist/server/app-render/get-script-nonce-from-header";
import { describe, expect, it } from "vitest";
import { buildCsp, createNonce } from "../src/lib/csp";

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp.split(";").map((d) => {
      const [name, ...values] = d.trim().split(/\s+/);
      return [name!, values];
    }),
  );
}

describe("the PWA's Content-Security-Policy", () => {
  it("allows scripts by nonce and 'strict-dynamic' in production: no inline, no eval", () => {
    const nonce = createNonce();
    const scripts = directives(buildCsp({ nonce })).get("script-src");
    expect(scripts).toEqual(["'self'", `'nonce-${nonce}'`, "'strict-dynamic'"]);
  });

  it("adds 'unsafe-eval' in development only, never 'unsafe-inline'", () => {
    const nonce = createNonce();
    expect(directives(buildCsp({ nonce, dev: true })).get("script-src")).toEqual(["'self'", `'nonce-${nonce}'`, "'strict-dynamic'", "'unsafe-eval'"]);
    expect(directives(buildCsp({ dev: true })).get("script-src")).toEqual(["'self'", "'unsafe-eval'"]);
    for (const csp of [buildCsp({ nonce }), buildCsp({ nonce, dev: true }), buildCsp(), buildCsp({ dev: true })]) {
      expect(directives(csp).get("script-src")).not.toContain("'unsafe-inline'");
    }
  });

  it("without a nonce (static files, the service worker, the gateway) allows same-origin scripts only", () => {
    const csp = directives(buildCsp());
    expect(csp.get("script-src")).toEqual(["'self'"]);
    expect(buildCsp()).not.toContain("nonce-");
  });

  it("keeps every other directive: WebSockets to core nodes, no framing, no plugins", () => {
    const csp = directives(buildCsp({ nonce: createNonce() }));
    expect(Object.fromEntries([...csp].filter(([name]) => name !== "script-src"))).toEqual({
      "default-src": ["'self'"],
      "style-src": ["'self'", "'unsafe-inline'"],
      "img-src": ["'self'", "data:", "blob:"],
      "font-src": ["'self'"],
      "connect-src": ["'self'", "ws:", "wss:"],
      "worker-src": ["'self'"],
      "manifest-src": ["'self'"],
      "object-src": ["'none'"],
      "base-uri": ["'self'"],
      "form-action": ["'self'"],
      "frame-ancestors": ["'none'"],
    });
  });

  it("shows attachments from its own origin (the gateway's /api/files) and cached thumbnails as blob: URLs", () => {
    // The chat shows /api/files/<id>/thumb directly and, offline, object URLs of thumbnails kept in
    // IndexedDB (web/src/hooks/use-object-url.ts); no other origin serves images.
    const img = directives(buildCsp({ nonce: createNonce() })).get("img-src");
    expect(img).toContain("'self'");
    expect(img).toContain("blob:");
    expect(img).not.toContain("*");
    expect(img).not.toContain("https:");
  });

  it("makes a different, 128-bit nonce every time, which Next.js finds in the header", () => {
    const nonces = Array.from({ length: 200 }, createNonce);
    expect(new Set(nonces).size).toBe(nonces.length);
    for (const nonce of nonces) {
      expect(Buffer.from(nonce, "base64")).toHaveLength(16);
      // Next puts on its own scripts the nonce it parses from the request's CSP header.
      expect(getScriptNonceFromHeader(buildCsp({ nonce }))).toBe(nonce);
    }
  });
});
