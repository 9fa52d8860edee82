/**
 * The Content-Security-Policy the desktop app adds to every response it loads. It is added as an
 * extra policy (the server's own CSP, if any, still applies: browsers enforce every policy), so the
 * wrapper can only make the page stricter, never looser. The directives come from the builder the
 * PWA shares (@dim/shared/csp); this side denies by default and names the server's origin.
 */
import { ANY_SOCKET_SOURCES, buildCsp as buildSharedCsp } from "@dim/shared/csp";

export interface CspOptions {
  /** The DIM server's origin (gateway + PWA), e.g. "http://127.0.0.1:3000". */
  serverOrigin: string;
  /**
   * Where WebSockets may go. Core nodes are assigned by the gateway at run time, on any host, so the
   * default (empty) allows ws: and wss:; an operator who knows the nodes can list their origins.
   */
  coreNodeOrigins?: readonly string[];
  /** `next dev` needs eval for fast refresh; a production build never does. */
  dev?: boolean;
}

/** The ws:/wss: origin that matches an http:/https: origin (for a dev server's hot-reload socket). */
function socketOriginOf(httpOrigin: string): string | null {
  if (httpOrigin.startsWith("https://")) return `wss://${httpOrigin.slice("https://".length)}`;
  if (httpOrigin.startsWith("http://")) return `ws://${httpOrigin.slice("http://".length)}`;
  return null;
}

/**
 * connect-src besides the server's origin: its own ws(s) twin, then the core node origins (an
 * http(s) one also allows its ws(s) twin), or any WebSocket when none are listed.
 */
function connectSources(opts: CspOptions): string[] {
  const sources: string[] = [];
  const serverSocket = socketOriginOf(opts.serverOrigin);
  if (serverSocket) sources.push(serverSocket);
  const nodes = opts.coreNodeOrigins ?? [];
  if (nodes.length === 0) sources.push(...ANY_SOCKET_SOURCES);
  for (const origin of nodes) {
    sources.push(origin);
    const twin = socketOriginOf(origin);
    if (twin) sources.push(twin);
  }
  return sources;
}

export function buildCsp(opts: CspOptions): string {
  return buildSharedCsp({
    appOrigins: [opts.serverOrigin],
    // Next.js hydrates with inline scripts; no third-party script can load.
    inlineScripts: true,
    dev: opts.dev,
    connectSources: connectSources(opts),
    denyByDefault: true,
  });
}

export type ResponseHeaders = Record<string, string | string[]>;

/**
 * Returns the response headers with `csp` added as one more Content-Security-Policy (matched
 * case-insensitively, so a server policy under any spelling is kept and ours appended).
 */
export function withCspHeader(headers: ResponseHeaders | undefined, csp: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  let cspKey: string | undefined;
  for (const [key, value] of Object.entries(headers ?? {})) {
    out[key] = Array.isArray(value) ? [...value] : [value];
    if (key.toLowerCase() === "content-security-policy" && cspKey === undefined) cspKey = key;
  }
  const key = cspKey ?? "Content-Security-Policy";
  out[key] = [...(out[key] ?? []), csp];
  return out;
}
