/**
 * Origin check at upgrade. Browsers always send Origin on a WebSocket handshake, so a foreign
 * page cannot ride on a user's session; non-browser clients (Node, the benchmark, Electron's main
 * process) send none and are allowed: they must still present a valid socket token.
 */
export function isOriginAllowed(origin: string | undefined, allowed: readonly string[]): boolean {
  if (origin === undefined || origin === "") return true;
  if (allowed.includes("*")) return true;
  return allowed.includes(origin);
}
