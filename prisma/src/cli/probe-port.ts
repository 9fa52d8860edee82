import { connect } from "node:net";
import pg from "pg";

export type PortState = "free" | "our-postgres" | "other";

/**
 * What listens on 127.0.0.1:port: nothing, our embedded PostgreSQL (it accepts the dev
 * credentials), or some other program.
 */
export async function probePort(port: number, adminUrl: string): Promise<PortState> {
  const open = await new Promise<boolean>((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.setTimeout(2_000);
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("timeout", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });
  if (!open) return "free";
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3_000 });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.query("SELECT 1");
    return "our-postgres";
  } catch (err) {
    // 57P03: a PostgreSQL that is still starting or shutting down (ours, most likely).
    return (err as { code?: string }).code === "57P03" ? "our-postgres" : "other";
  } finally {
    await client.end().catch(() => {});
  }
}
