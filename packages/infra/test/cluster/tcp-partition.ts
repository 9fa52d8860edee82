/**
 * A TCP proxy on loopback that can cut the link it carries: a network partition between one
 * client and a real server. While cut, live pipes are destroyed and new connections are closed
 * at once, so the client can neither heartbeat nor reconnect — the server-side session then
 * expires on its own clock, exactly as on a real partition (no second client joining the session).
 */
import { createServer, connect, type Server, type Socket } from "node:net";

export class TcpPartition {
  private server: Server | undefined;
  private readonly pipes = new Set<Socket>();
  private isCut = false;
  private port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  /** Starts listening on 127.0.0.1 (port 0); resolves with `host:port` to give the client. */
  async start(): Promise<string> {
    const server = (this.server = createServer((client) => {
      if (this.isCut) return void client.destroy();
      const upstream = connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.pipes.add(s);
        s.on("close", () => this.pipes.delete(s));
        s.on("error", () => undefined); // a cut pipe errors on the other side: expected
      }
      client.on("close", () => upstream.destroy());
      upstream.on("close", () => client.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
    }));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    this.port = (server.address() as { port: number }).port;
    return `127.0.0.1:${this.port}`;
  }

  /** Partitions: every live pipe is destroyed, new connections are refused until heal(). */
  cut(): void {
    this.isCut = true;
    for (const s of this.pipes) s.destroy();
  }

  heal(): void {
    this.isCut = false;
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** "host:port" (the first of a ZooKeeper connect string) as a target. */
export function firstHostPort(connectString: string): { host: string; port: number } {
  const [hostPort] = connectString.split(",");
  const i = hostPort!.lastIndexOf(":");
  return { host: hostPort!.slice(0, i), port: Number(hostPort!.slice(i + 1)) };
}
