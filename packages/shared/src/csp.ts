/**
 * The Content-Security-Policy of DIM's client shells: the one builder behind the PWA's policy
 * (web/src/lib/csp.ts) and the stricter one the desktop wrapper adds (desktop/src/main/csp.ts).
 * Each passes what differs as options; the rest (no plugins, no framing by others, no foreign
 * base or form targets, inline styles only) is the same in both.
 *
 * No imports and no Node APIs: it runs in Next's Edge middleware, in next.config.ts and in
 * Electron's main process.
 */

export interface CspOptions {
  /**
   * Origins that serve the app besides 'self' (the desktop wrapper: the DIM server's origin, since
   * its pages may come from a file: or data: document). Added to every fetch directive.
   */
  appOrigins?: readonly string[];
  /** A per-request nonce: scripts then load by nonce and 'strict-dynamic' (the PWA's pages). */
  nonce?: string;
  /** Inline scripts allowed (the desktop wrapper, which adds its policy without knowing the page's nonce). */
  inlineScripts?: boolean;
  /** `next dev`: React and fast refresh need eval; a production build never does. */
  dev?: boolean;
  /**
   * connect-src besides the app: where WebSockets to core nodes may go. Core nodes live on other
   * origins, only known at run time, so the default allows any ws: and wss:.
   */
  connectSources?: readonly string[];
  /**
   * Deny by default (desktop): default-src 'none', media listed, frames and workers' child
   * contexts denied outright. Otherwise default-src is the app itself.
   */
  denyByDefault?: boolean;
}

/** Any WebSocket origin: core nodes are assigned by the gateway at run time, on any host. */
export const ANY_SOCKET_SOURCES = ["ws:", "wss:"] as const;

function scriptSources(self: string[], opts: CspOptions): string[] {
  // With 'strict-dynamic', a nonced script (Next's bootstrap) may load further chunks; CSP3
  // browsers then ignore 'self', which only remains for older ones.
  const sources = opts.nonce ? [...self, `'nonce-${opts.nonce}'`, "'strict-dynamic'"] : [...self];
  if (opts.inlineScripts) sources.push("'unsafe-inline'");
  if (opts.dev) sources.push("'unsafe-eval'");
  return sources;
}

export function buildCsp(opts: CspOptions = {}): string {
  const self = ["'self'", ...(opts.appOrigins ?? [])];
  const directives: [string, string[]][] = [
    ["default-src", opts.denyByDefault ? ["'none'"] : self],
    ["script-src", scriptSources(self, opts)],
    // Styles stay 'unsafe-inline', without a nonce (a nonce would make browsers ignore
    // 'unsafe-inline'): React `style` props and Next's built-in error and 404 pages render
    // style="" attributes, which no nonce can allow. Inline CSS cannot run script.
    ["style-src", [...self, "'unsafe-inline'"]],
    // Attachments and thumbnails come from the app's own origin (the gateway's /api/files);
    // thumbnails cached in IndexedDB and picked files' previews are shown through blob: URLs.
    ["img-src", [...self, "data:", "blob:"]],
    ["font-src", self],
    ["connect-src", [...self, ...(opts.connectSources ?? ANY_SOCKET_SOURCES)]],
    ["worker-src", self],
    ["manifest-src", self],
    ...(opts.denyByDefault
      ? ([
          ["media-src", self],
          ["frame-src", ["'none'"]],
          ["child-src", ["'none'"]],
        ] as [string, string[]][])
      : []),
    ["object-src", ["'none'"]],
    ["base-uri", ["'self'"]],
    ["form-action", ["'self'"]],
    ["frame-ancestors", ["'none'"]],
  ];
  return directives.map(([name, values]) => `${name} ${[...new Set(values)].join(" ")}`).join("; ");
}
