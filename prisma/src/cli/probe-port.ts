/** What listens on the embedded dev PostgreSQL's port: nothing, this checkout's server, another checkout's, or something else. */
import { realpathSync } from "node:fs";
import { connect } from "node:net";
import { resolve } from "node:path";
import pg from "pg";

export type PortState =
  | { kind: "free" }
  | { kind: "our-postgres" }
  /** An embedded PostgreSQL that accepts the dev credentials but keeps its data elsewhere (another checkout). */
  | { kind: "other-postgres"; dataDir: string }
  | { kind: "other" };

function samePath(a: string, b: string): boolean {
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return resolve(p);
    }
  };
  return real(a) === real(b);
}

/**
 * What listens on 127.0.0.1:port: nothing, our embedded PostgreSQL (it accepts the dev
 * credentials and its data directory is `dataDir`), another DIM checkout's, or some other program.
 */
export async function probePort(port: number, adminUrl: string, dataDir: string): Promise<PortState> {
  const open = await new Promise<boolean>((done) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.setTimeout(2_000);
    socket.once("connect", () => (socket.destroy(), done(true)));
    socket.once("timeout", () => (socket.destroy(), done(true)));
    socket.once("error", () => done(false));
  });
  if (!open) return { kind: "free" };
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3_000 });
  client.on("error", () => {});
  try {
    await client.connect();
    const { rows } = await client.query<{ data_directory: string }>("SELECT current_setting('data_directory') AS data_directory");
    const theirs = rows[0]?.data_directory ?? "";
    return samePath(theirs, dataDir) ? { kind: "our-postgres" } : { kind: "other-postgres", dataDir: theirs };
  } catch (err) {
    // 57P03: a PostgreSQL that is still starting or shutting down (ours, most likely).
    return (err as { code?: string }).code === "57P03" ? { kind: "our-postgres" } : { kind: "other" };
  } finally {
    await client.end().catch(() => {});
  }
}
