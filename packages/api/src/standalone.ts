/**
 * The gateway on a plain node:http server (no Next.js): for tests, the benchmark and the client
 * library's tests. Converts each request to a fetch Request and streams the Response back.
 * `GET /livez` and `GET /readyz` answer as on web (@dim/shared/node readiness).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { openDatabase, type OpenDatabase } from "@dim/db";
import { startMetricsServer, type MetricsConfig } from "@dim/shared/metrics";
import { HEALTH_HEADERS, LIVENESS_BODY, LIVENESS_PATH, READINESS_PATH, readinessStatus } from "@dim/shared/node";
import { createGateway, TRPC_ENDPOINT, type Gateway, type GatewayDeps } from "./gateway";

export type StandaloneGatewayOptions = {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Also serve the gateway's `GET /metrics` on a listener of its own (never on `port`). */
  metricsListener?: Pick<MetricsConfig, "host" | "port" | "token">;
} & (
  | { gateway: Gateway }
  | GatewayDeps
  /** Convenience for tests: the gateway opens (openDatabase) and closes its own Prisma client, pool and store. */
  | (Omit<GatewayDeps, "prisma" | "pool" | "store"> & { databaseUrl: string })
);

export interface StandaloneGateway {
  /** Origin, e.g. http://127.0.0.1:41234 */
  url: string;
  /** Where tRPC answers: `${url}/api/trpc`. */
  trpcUrl: string;
  port: number;
  gateway: Gateway;
  /** `GET /metrics` of the gateway, when `metricsListener` asked for one. */
  metricsUrl?: string;
  /** Idempotent: closes the server, then the gateway (and what it opened itself). */
  close(): Promise<void>;
}

/**
 * The request body as a web stream, with backpressure. Not Readable.toWeb: a reader that cancels
 * early (an upload refused mid-stream) leaves it enqueuing into a closed controller, an uncaught
 * ERR_INVALID_STATE. A body that ends before it is complete (the client went away) errors.
 */
function bodyStream(req: IncomingMessage): ReadableStream<Uint8Array> {
  let done = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const fail = (err: Error) => {
        if (done) return;
        done = true;
        controller.error(err);
      };
      req.on("data", (chunk: Buffer) => {
        if (done) return;
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 0) <= 0) req.pause();
      });
      req.on("end", () => {
        if (done) return;
        done = true;
        controller.close();
      });
      req.on("error", fail);
      req.on("close", () => {
        if (!req.complete) fail(new Error("the request body broke off"));
      });
    },
    pull() {
      req.resume();
    },
    cancel() {
      // Stop reading: the answer (sent with Connection: close) ends the connection.
      done = true;
      req.pause();
    },
  }, { highWaterMark: 4 });
}

function toRequest(req: IncomingMessage, fallbackHost: string): Request {
  const url = `http://${req.headers.host ?? fallbackHost}${req.url ?? "/"}`;
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.set(name, value);
  }
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  return new Request(url, {
    method: req.method ?? "GET",
    headers,
    ...(hasBody ? { body: bodyStream(req), duplex: "half" } : {}),
  } as RequestInit);
}

async function send(res: ServerResponse, response: Response): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers["set-cookie"] = cookies;
  // A plain JSON answer (every tRPC answer but a streamed one) goes out in one write with its
  // length: no chunked encoding, no stream iteration. Anything else is streamed as it comes.
  const mediaType = response.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
  if (response.body && mediaType === "application/json") {
    const body = Buffer.from(await response.arrayBuffer());
    headers["content-length"] = String(body.length);
    res.writeHead(response.status, headers);
    res.end(body);
    return;
  }
  res.writeHead(response.status, headers);
  if (response.body) {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) res.write(chunk);
  }
  res.end();
}

async function answerHealth(gateway: Gateway, path: string, res: ServerResponse): Promise<void> {
  if (path === LIVENESS_PATH) {
    res.writeHead(200, HEALTH_HEADERS).end(JSON.stringify(LIVENESS_BODY));
    return;
  }
  const report = await gateway.readiness();
  res.writeHead(readinessStatus(report), HEALTH_HEADERS).end(JSON.stringify(report));
}

export async function startStandaloneGateway(opts: StandaloneGatewayOptions): Promise<StandaloneGateway> {
  const host = opts.host ?? "127.0.0.1";
  let gateway: Gateway;
  let ownedDb: OpenDatabase | undefined;
  if ("gateway" in opts) {
    gateway = opts.gateway;
  } else if ("databaseUrl" in opts) {
    const { databaseUrl, port: _p, host: _h, metricsListener: _m, ...deps } = opts;
    ownedDb = await openDatabase(databaseUrl, "dim-gateway");
    gateway = createGateway({ ...deps, prisma: ownedDb.prisma, pool: ownedDb.pool, store: ownedDb.store });
  } else {
    const { port: _p, host: _h, metricsListener: _m, ...deps } = opts;
    gateway = createGateway(deps);
  }

  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method === "GET" && (path === LIVENESS_PATH || path === READINESS_PATH)) {
      void answerHealth(gateway, path, res);
      return;
    }
    const request = toRequest(req, `${host}:${(server.address() as AddressInfo | null)?.port ?? 0}`);
    gateway
      .fetchHandler(request, { clientIp: req.socket.remoteAddress ?? null })
      .then((response) => send(res, response))
      .catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const metricsServer = opts.metricsListener
    ? await startMetricsServer(gateway.metrics.registry, opts.metricsListener).catch(async (err: unknown) => {
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await ownedDb?.close();
        throw err;
      })
    : undefined;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    trpcUrl: `${url}${TRPC_ENDPOINT}`,
    port,
    gateway,
    ...(metricsServer ? { metricsUrl: metricsServer.url } : {}),
    close() {
      closing ??= (async () => {
        await metricsServer?.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await gateway.close();
        await ownedDb?.close();
      })();
      return closing;
    },
  };
}
