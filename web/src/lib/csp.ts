/**
 * The Content-Security-Policy of the PWA. Pages get a strict, nonce-based policy made fresh for
 * every request by src/middleware.ts; responses the middleware skips (static chunks, icons, the
 * manifest, the service worker, the gateway) get the same policy without a nonce from
 * next.config.ts, so no inline script runs anywhere. The directives come from the builder the
 * desktop wrapper shares (@dim/shared/csp).
 *
 * Runs in the Edge runtime (middleware) and in Node (next.config.ts): Web Crypto only, no Buffer.
 */
import { buildCsp as buildSharedCsp } from "@dim/shared/csp";

export interface CspOptions {
  /** The request's nonce (pages). Without one, script-src is 'self' only. */
  nonce?: string;
  /** `next dev`: React and fast refresh need eval; a production build never does. */
  dev?: boolean;
}

/** 128 random bits, base64: a fresh value for every page request. */
export function createNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}

/** Same-origin everything, scripts by nonce only, WebSockets to core nodes on any host. */
export function buildCsp(opts: CspOptions = {}): string {
  return buildSharedCsp({ nonce: opts.nonce, dev: opts.dev });
}
