/**
 * The HTTP side of a core node: `GET /livez` and `GET /readyz` (@dim/shared/node readiness),
 * `GET /healthz` (older: 200 while the node accepts sockets, with its phase, connections and
 * epoch; tools that wait for a node read it), and the WebSocket upgrade on `/ws`. It decides
 * only whether a socket may open (path, node accepting, capacity, Origin); everything after that
 * belongs to the CoreNode it hands sockets to.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import { CloseCode, Limits } from "@dim/shared";
import {
  HEALTH_HEADERS,
  LIVENESS_BODY,
  LIVENESS_PATH,
  READINESS_PATH,
  readinessStatus,
  type Logger,
  type ReadinessReport,
} from "@dim/shared/node";
import { isOriginAllowed } from "./origin";

export const WS_PATH = "/ws";
export const HEALTH_PATH = "/healthz";

export interface NodeServerOptions {
  host: string;
  port: number;
  allowedOrigins: readonly string[];
  maxConnections: number;
  logger: Logger;
  /** False while the node is stopping or fenced: upgrades get 503. */
  accepting(): boolean;
  /** Sockets currently held (authenticated or not). */
  connectionCount(): number;
  /** Body of `GET /healthz`. */
  health(): Record<string, unknown>;
  /** `GET /readyz`. */
  readiness(): Promise<ReadinessReport>;
  onSocket(ws: WebSocket, req: IncomingMessage): void;
}

export class NodeServer {
  private readonly http = createServer((req, res) => this.onRequest(req, res));
  private readonly wss = new WebSocketServer({
    noServer: true,
    maxPayload: Limits.maxFrameBytes,
    clientTracking: false,
    perMessageDeflate: false,
  });
  private closing: Promise<void> | undefined;

  constructor(private readonly opts: NodeServerOptions) {
    this.http.on("upgrade", (req, socket, head) => this.onUpgrade(req, socket, head));
    this.http.on("clientError", (_err, socket) => socket.destroy());
  }

  /** Binds and resolves with the port (the real one when asked for port 0). */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.http.once("error", onError);
      this.http.listen(this.opts.port, this.opts.host, () => {
        this.http.off("error", onError);
        const addr = this.http.address();
        resolve(typeof addr === "object" && addr ? addr.port : this.opts.port);
      });
    });
  }

  /** Stops taking new TCP connections and closes the HTTP side. Sockets are closed by the node first. Idempotent. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.http.close(() => resolve());
      this.http.closeAllConnections();
      this.wss.close();
    });
    return this.closing;
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const path = pathOf(req);
    if (req.method === "GET" && path === HEALTH_PATH) {
      const ok = this.opts.accepting();
      res.writeHead(ok ? 200 : 503, HEALTH_HEADERS);
      res.end(JSON.stringify({ status: ok ? "ok" : "unavailable", ...this.opts.health() }));
      return;
    }
    if (req.method === "GET" && path === LIVENESS_PATH) {
      res.writeHead(200, HEALTH_HEADERS);
      res.end(JSON.stringify(LIVENESS_BODY));
      return;
    }
    if (req.method === "GET" && path === READINESS_PATH) {
      this.opts.readiness().then(
        (report) => {
          res.writeHead(readinessStatus(report), HEALTH_HEADERS);
          res.end(JSON.stringify({ ...report, ...this.opts.health() }));
        },
        (err: unknown) => {
          this.opts.logger.error({ err }, "readiness probe failed");
          res.writeHead(503, HEALTH_HEADERS);
          res.end(JSON.stringify({ status: "not ready", notReady: ["probe"], checks: { probe: { ok: false, error: "internal error" } } }));
        },
      );
      return;
    }
    res.writeHead(path === WS_PATH ? 426 : 404, { "content-type": "text/plain" });
    res.end(path === WS_PATH ? "WebSocket upgrade required\n" : "not found\n");
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // A module-level handler: a closure here would keep this scope (the request, its headers)
    // alive for as long as the socket lives.
    socket.on("error", destroySocket);
    if (pathOf(req) !== WS_PATH) return reject(socket, 404, "Not Found");
    if (!this.opts.accepting()) return reject(socket, 503, "Service Unavailable");
    if (this.opts.connectionCount() >= this.opts.maxConnections) {
      this.opts.logger.warn({ max: this.opts.maxConnections }, "connection limit reached; upgrade refused");
      return reject(socket, 503, "Service Unavailable");
    }
    const origin = req.headers.origin;
    const originOk = isOriginAllowed(origin, this.opts.allowedOrigins);
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      if (!originOk) {
        // Completed then closed at once (no frame is read), so a browser learns the close code
        // and does not retry; an HTTP 403 would reach it only as an anonymous 1006.
        this.opts.logger.info({ origin }, "origin not allowed");
        ws.close(CloseCode.ForbiddenOrigin, "origin not allowed");
        return;
      }
      this.opts.onSocket(ws, req);
    });
  }
}

function destroySocket(this: Duplex): void {
  this.destroy();
}

function pathOf(req: IncomingMessage): string {
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  return q === -1 ? url : url.slice(0, q);
}

function reject(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
