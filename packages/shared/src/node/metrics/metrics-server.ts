/**
 * The metrics listener: `GET /metrics` in Prometheus text format on its own port (metrics-config.ts),
 * and the process's admin actions (`POST /admin/<name>`, e.g. a core node's `/admin/drain`), taken
 * only from a loopback address. With a token, a request without `Authorization: Bearer <token>` gets 401. Starting
 * it adds prom-client's default metrics (event-loop lag, heap, GC) to the registry.
 */
import { timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "../logger";
import type { MetricsConfig } from "./metrics-config";
import { addDefaultMetrics, type Registry } from "./metrics-registry";

export const METRICS_PATH = "/metrics";

export interface MetricsServer {
  /** e.g. http://127.0.0.1:9464/metrics */
  readonly url: string;
  readonly port: number;
  /** Idempotent. */
  close(): Promise<void>;
}

function authorized(req: IncomingMessage, token: string | undefined): boolean {
  if (token === undefined) return true;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "");
  if (!match) return false;
  const given = Buffer.from(match[1]!);
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** `POST /admin/<name>` → the action; answered 202 once started (its outcome is in the logs). */
export type AdminActions = Record<string, () => void>;

const LOOPBACK = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);

export async function startMetricsServer(
  registry: Registry,
  config: Pick<MetricsConfig, "host" | "port" | "token">,
  logger?: Logger,
  actions: AdminActions = {},
): Promise<MetricsServer> {
  addDefaultMetrics(registry);
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0]!;
    const action = path.startsWith("/admin/") ? actions[path.slice("/admin/".length)] : undefined;
    if (action && Object.hasOwn(actions, path.slice("/admin/".length))) {
      if (req.method !== "POST") return void res.writeHead(405, { allow: "POST" }).end();
      // Even with the listener bound wider (for a scraper), actions come from this machine only.
      if (!LOOPBACK.has(req.socket.remoteAddress ?? "")) return void res.writeHead(403, { "content-type": "text/plain" }).end("loopback only\n");
      if (!authorized(req, config.token)) return void res.writeHead(401, { "www-authenticate": 'Bearer realm="metrics"' }).end();
      logger?.warn({ action: path }, "admin action requested");
      action();
      return void res.writeHead(202, { "content-type": "text/plain" }).end("accepted\n");
    }
    if (path !== METRICS_PATH) return void res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
    if (req.method !== "GET" && req.method !== "HEAD") return void res.writeHead(405, { allow: "GET" }).end();
    if (!authorized(req, config.token)) {
      return void res.writeHead(401, { "www-authenticate": 'Bearer realm="metrics"', "content-type": "text/plain" }).end("unauthorized\n");
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { "content-type": registry.contentType, "cache-control": "no-store" }).end(req.method === "HEAD" ? undefined : text),
      (err: unknown) => {
        logger?.error({ err }, "collecting metrics failed");
        res.writeHead(500).end();
      },
    );
  });
  server.on("clientError", (_err, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = config.host.includes(":") ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}${METRICS_PATH}`;
  logger?.info({ metrics: url, protected: config.token !== undefined }, "metrics listening");
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
