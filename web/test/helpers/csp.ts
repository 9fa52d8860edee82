/** Content-Security-Policy checks for the browser tests. */
import type { BrowserContext } from "playwright-core";
import { expect } from "vitest";

/**
 * Records every CSP violation in the context's pages, across navigations and offline reloads:
 * the `securitypolicyviolation` event and Chromium's console error both end up in `into`.
 */
export async function recordCspViolations(context: BrowserContext, into: string[]): Promise<void> {
  await context.exposeBinding("__dimCspViolation", (_source, text: string) => {
    into.push(text);
  });
  await context.addInitScript(() => {
    const report = (window as unknown as { __dimCspViolation(text: string): void }).__dimCspViolation;
    document.addEventListener("securitypolicyviolation", (e) => {
      report(`${location.pathname}: ${e.effectiveDirective} blocked ${e.blockedURI || "?"} (${e.sourceFile}:${e.lineNumber})`);
    });
  });
  context.on("console", (message) => {
    if (message.type() === "error" && /Content Security Policy/i.test(message.text())) into.push(message.text());
  });
}

/** The values of each policy's script-src (fetch joins repeated headers with ", "). */
export function scriptSources(csp: string): string[][] {
  return [...csp.matchAll(/(?:^|[;,])\s*script-src ([^;,]*)/g)].map((m) => m[1]!.trim().split(/\s+/));
}

/**
 * A page's response: exactly one policy, whose script-src is a nonce with 'strict-dynamic' (no
 * inline, no eval), and every <script> in the HTML carries that nonce. Returns the nonce.
 */
export function expectNoncedPage(csp: string | null, html: string): string {
  const policies = scriptSources(csp ?? "");
  expect(policies, csp ?? "no CSP header").toHaveLength(1);
  const sources = policies[0]!;
  expect(sources).not.toContain("'unsafe-inline'");
  expect(sources).not.toContain("'unsafe-eval'");
  expect(sources).toHaveLength(3);
  expect(sources[0]).toBe("'self'");
  expect(sources[2]).toBe("'strict-dynamic'");
  const nonce = /^'nonce-([A-Za-z0-9+/]{22}==)'$/.exec(sources[1]!)?.[1];
  expect(nonce, sources[1]).toBeDefined();
  const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
  expect(scripts.length).toBeGreaterThan(1);
  for (const tag of scripts) expect(/\snonce="([^"]*)"/.exec(tag)?.[1], tag).toBe(nonce);
  return nonce!;
}
