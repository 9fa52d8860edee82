import { createServer, type Server, type Socket } from "node:net";
import { afterAll, describe, expect, inject, it } from "vitest";
import pg from "pg";
import { freePort } from "@dim/shared/node";
import { probePort } from "../src/cli/probe-port";

const adminUrl = inject("pgAdminUrl");
const port = Number(new URL(adminUrl).port);
let other: Server | undefined;
const otherSockets = new Set<Socket>();
afterAll(async () => {
  for (const socket of otherSockets) socket.destroy();
  await new Promise<void>((resolve) => (other ? other.close(() => resolve()) : resolve()));
});

async function dataDirectory(): Promise<string> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return (await client.query<{ d: string }>("SELECT current_setting('data_directory') AS d")).rows[0]!.d;
  } finally {
    await client.end();
  }
}

describe("probePort (the embedded dev PostgreSQL's port)", () => {
  it("tells this checkout's server from another checkout's by its data directory", async () => {
    const dataDir = await dataDirectory();
    expect(await probePort(port, adminUrl, dataDir)).toEqual({ kind: "our-postgres" });
    expect(await probePort(port, adminUrl, "/somewhere/else/.data/postgres")).toEqual({ kind: "other-postgres", dataDir });
  });

  it("tells a free port from one held by another program", async () => {
    const free = await freePort();
    expect(await probePort(free, `postgresql://postgres:x@127.0.0.1:${free}/postgres`, "/x")).toEqual({ kind: "free" });
    other = createServer((socket) => {
      otherSockets.add(socket);
      socket.on("error", () => undefined); // the probe hangs up as it likes
      socket.end("not postgres\n");
    });
    await new Promise<void>((resolve) => other!.listen(0, "127.0.0.1", () => resolve()));
    const busy = (other.address() as { port: number }).port;
    expect(await probePort(busy, `postgresql://postgres:x@127.0.0.1:${busy}/postgres`, "/x")).toEqual({ kind: "other" });
  });
});
