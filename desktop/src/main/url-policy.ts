/**
 * Where the app may go. Pure functions (no Electron): the main process wires them to
 * will-navigate, will-redirect, setWindowOpenHandler, shell.openExternal and the permission handlers.
 */

/** Longest URL we hand to the operating system. */
export const MAX_EXTERNAL_URL_LENGTH = 2048;

/** Protocols that may be opened in the system browser. Everything else (file:, javascript:, data:, smb:, custom schemes…) is refused. */
const EXTERNAL_PROTOCOLS = new Set(["http:", "https:"]);

// C0 controls, space, DEL and C1 controls: a URL from the page never legitimately holds them raw.
// eslint-disable-next-line no-control-regex
const UNSAFE_CHARS = /[\u0000-\u0020\u007f-\u009f]/;

/** Parses a URL, or returns null (never throws). */
export function tryParseUrl(raw: unknown): URL | null {
  if (typeof raw !== "string") return null;
  try {
    return new URL(raw);
  } catch {
    return null;
  }
}

/**
 * The URL to pass to shell.openExternal, or null when it must not be opened: only absolute http(s)
 * URLs with a host, no user:password@, no raw whitespace or control characters, at most 2048 characters.
 */
export function validateExternalUrl(raw: unknown): string | null {
  if (typeof raw !== "string" || raw.length === 0 || raw.length > MAX_EXTERNAL_URL_LENGTH) return null;
  if (UNSAFE_CHARS.test(raw)) return null;
  const url = tryParseUrl(raw);
  if (!url) return null;
  if (!EXTERNAL_PROTOCOLS.has(url.protocol)) return null;
  if (url.username !== "" || url.password !== "") return null;
  if (url.hostname === "") return null;
  if (url.href.length > MAX_EXTERNAL_URL_LENGTH) return null;
  return url.href;
}

/** True when `raw` parses and has exactly `origin` (scheme, host and port). */
export function isSameOrigin(raw: unknown, origin: string): boolean {
  const url = tryParseUrl(raw);
  return url !== null && url.origin !== "null" && url.origin === origin;
}

export type NavigationDecision =
  | { action: "allow" }
  | { action: "deny" }
  | { action: "open-external"; url: string };

/**
 * A navigation of the app's own window (will-navigate): staying on the server's origin is allowed;
 * leaving it is always stopped, and a valid http(s) target is opened in the system browser instead.
 */
export function decideNavigation(target: unknown, serverOrigin: string): NavigationDecision {
  if (isSameOrigin(target, serverOrigin)) return { action: "allow" };
  const external = validateExternalUrl(target);
  return external ? { action: "open-external", url: external } : { action: "deny" };
}

/**
 * A request for a new window (window.open, target=_blank): the app never opens windows of its own;
 * a valid http(s) target goes to the system browser.
 */
export function decideWindowOpen(target: unknown): Exclude<NavigationDecision, { action: "allow" }> {
  const external = validateExternalUrl(target);
  return external ? { action: "open-external", url: external } : { action: "deny" };
}

/** A server-side redirect of the app's window: only within the server's origin. */
export function isRedirectAllowed(target: unknown, serverOrigin: string): boolean {
  return isSameOrigin(target, serverOrigin);
}

/** The only permission the app grants, and only to its own origin. */
export const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set(["notifications"]);

export function isPermissionAllowed(permission: string, requestingUrl: unknown, serverOrigin: string): boolean {
  return ALLOWED_PERMISSIONS.has(permission) && isSameOrigin(requestingUrl, serverOrigin);
}
