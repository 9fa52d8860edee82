/**
 * The Content-Security-Policy of the PWA. Pages get a strict, nonce-based policy made fresh for
 * every request by src/middleware.ts; responses the middleware skips (static chunks, icons, the
 * manifest, the service worker, the gateway) get the same policy without a nonce from
 * next.config.ts, so no inline script runs anywhere.
 *
 * Runs in the Edge runtime (middleware) and in Node (next.config.ts): Web Crypto only, no Buffer.
 */

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

function scriptSources({ nonce, dev }: CspOptions): string[] {
  // With 'strict-dynamic', a nonced script (Next's bootstrap) may load further chunks; CSP3
  // browsers then ignore 'self', which only remains for older ones.
  const sources = nonce ? ["'self'", `'nonce-${nonce}'`, "'strict-dynamic'"] : ["'self'"];
  if (dev) sources.push("'unsafe-eval'");
  return sources;
}

export function buildCsp(opts: CspOptions = {}): string {
  const directives: [string, string[]][] = [
    ["default-src", ["'self'"]],
    ["script-src", scriptSources(opts)],
    // Styles stay 'unsafe-inline', without a nonce (a nonce would make browsers ignore
    // 'unsafe-inline'): React `style` props and Next's built-in error and 404 pages render
    // style="" attributes, which no nonce can allow. Inline CSS cannot run script.
    ["style-src", ["'self'", "'unsafe-inline'"]],
    ["img-src", ["'self'", "data:", "blob:"]],
    ["font-src", ["'self'"]],
    // Core nodes live on other origins (ws://host:7001/ws …), only known at run time.
    ["connect-src", ["'self'", "ws:", "wss:"]],
    ["worker-src", ["'self'"]],
    ["manifest-src", ["'self'"]],
    ["object-src", ["'none'"]],
    ["base-uri", ["'self'"]],
    ["form-action", ["'self'"]],
    ["frame-ancestors", ["'none'"]],
  ];
  return directives.map(([name, values]) => `${name} ${values.join(" ")}`).join("; ");
}
