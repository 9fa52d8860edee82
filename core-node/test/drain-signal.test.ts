/**
 * SIGTERM drains the real node process (src/main.ts, embedded mode on the test database): the
 * registry row says draining at once, sockets are not all closed at once, and a second SIGTERM
 * stops now (the rest get 4503) and the process exits 0.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CloseCode } from "@dim/shared";
import { createUser, TEST_SECRET, tokenFor, useTestDatabase } from "./helpers/cluster";
import { TestClient, realSleep } from "./helpers/test-client";

const MAIN = fileURLToPath(new URL("../src/main.ts", import.meta.url));
const TSX = fileURLToPath(new URL("../../node_modules/.bin/tsx", import.meta.url));

const db = useTestDatabase();

async function until<T>(get: () => Promise<T | undefined>, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await get();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await realSleep(100);
  }
}

describe("SIGTERM on a node process", () => {
  it("drains (draining at once, sockets spread), and a second SIGTERM stops now", async () => {
    const nodeId = `sig-${Date.now().toString(36)}`;
    const child = spawn(TSX, [MAIN], {
      env: {
        PATH: process.env.PATH,
        DATABASE_URL: db.url,
        DIM_MODE: "embedded",
        DIM_NODE_ID: nodeId,
        DIM_NODE_PORT: "0",
        DIM_TOKEN_SECRET: TEST_SECRET,
        DIM_DRAIN_MS: "120000",
        DIM_LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "ignore", "pipe"],
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    try {
      const wsUrl = await until(async () => {
        const rows = await db.prisma.$queryRaw<Array<{ ws_url: string }>>`SELECT ws_url FROM node_leases WHERE node_id = ${nodeId} AND expires_at > now()`;
        return rows[0]?.ws_url;
      }, "the node to register");
      const clients: TestClient[] = [];
      for (let i = 0; i < 10; i++) {
        const user = await createUser(db.prisma);
        const c = await TestClient.connect(wsUrl);
        c.send({ type: "auth", v: 1, token: tokenFor(user, nodeId) });
        await c.next("welcome");
        clients.push(c);
      }
      const codes: number[] = [];
      for (const c of clients) void c.closed.then((e) => codes.push(e.code));

      child.kill("SIGTERM");
      await until(async () => {
        const rows = await db.prisma.$queryRaw<Array<{ draining: boolean }>>`SELECT draining FROM node_leases WHERE node_id = ${nodeId} AND expires_at > now()`;
        return rows[0]?.draining ? true : undefined;
      }, "the node to be marked draining");
      await realSleep(1200); // a later signal, not the same Ctrl-C seen twice
      // 10 sockets over 120 s: at most a few closed by now.
      expect(codes.length).toBeLessThan(5);
      expect(codes.every((c) => c === CloseCode.NodeDraining)).toBe(true);
      const drainedBefore = codes.length;

      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      await Promise.all(clients.map((c) => c.closed));
      expect(codes.filter((c) => c === CloseCode.NodeShuttingDown)).toHaveLength(10 - drainedBefore);
      const live = await db.prisma.$queryRaw<unknown[]>`SELECT 1 FROM node_leases WHERE node_id = ${nodeId} AND expires_at > now()`;
      expect(live).toHaveLength(0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  }, 120_000);
});
