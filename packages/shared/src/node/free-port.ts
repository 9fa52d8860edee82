/** Free and busy TCP ports on loopback: for servers that cannot bind port 0, and the dev scripts. */
import { createServer } from "node:net";

/** A currently free TCP port on 127.0.0.1 (for servers that cannot bind port 0 themselves). */
export function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Whether nothing listens on host:port now (the dev scripts check their fixed ports before starting). */
export function portFree(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once("error", () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

/**
 * The ports of `wanted` that something already listens on, as "7001 (node-1)" (empty when all are
 * free), for one error that names every busy port.
 */
export async function busyPorts(wanted: ReadonlyArray<{ port: number; what: string }>, host = "127.0.0.1"): Promise<string[]> {
  const busy: string[] = [];
  for (const { port, what } of wanted) if (!(await portFree(port, host))) busy.push(`${port} (${what})`);
  return busy;
}
