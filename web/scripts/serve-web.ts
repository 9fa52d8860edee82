/**
 * The web server: Next.js (the PWA and the tRPC gateway at /api/trpc) on a node:http server of
 * our own, so the gateway learns each request's TCP peer address. Next's route handlers never see
 * the socket, and `next start` keeps a client-sent X-Forwarded-For as it is, so without this the
 * per-address login and registration limits (docs/protocol.md §3.5) would have no trustworthy
 * address. DIM_TRUST_PROXY still decides whether the gateway believes X-Forwarded-For instead.
 *
 *   tsx scripts/serve-web.ts [--dev] [-p PORT] [-H HOST]      (defaults: production, 3000, 127.0.0.1)
 */
import { createServer } from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import next from "next";
import { withPeerAddress } from "@dim/api/peer-address";

const webDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({
  options: {
    dev: { type: "boolean", default: false },
    port: { type: "string", short: "p", default: "3000" },
    hostname: { type: "string", short: "H", default: "127.0.0.1" },
  },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  process.stderr.write(`[web] invalid port '${values.port}'\n`);
  process.exit(2);
}
const dev = values.dev;
const hostname = values.hostname;
// What `next start` / `next dev` would set.
(process.env as Record<string, string>).NODE_ENV ??= dev ? "development" : "production";
process.env.NEXT_TELEMETRY_DISABLED ??= "1";

const server = createServer();
const app = next({ dev, dir: webDir, hostname, port, httpServer: server });
await app.prepare();
const handle = app.getRequestHandler();
server.on("request", (req, res) => {
  void withPeerAddress(req.socket.remoteAddress ?? null, () => handle(req, res));
});
await new Promise<void>((resolve, reject) => {
  server.once("error", reject);
  server.listen(port, hostname, () => resolve());
});
const shown = hostname.includes(":") ? `[${hostname}]` : hostname;
const origin = `http://${shown}:${port}`;
process.stdout.write(`[web] ready (${dev ? "dev" : "production"}): ${origin}   liveness ${origin}/livez   readiness ${origin}/readyz\n`);

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    server.close(() => process.exit(0));
    server.closeAllConnections();
    setTimeout(() => process.exit(0), 5_000).unref();
  });
}
