/**
 * /livez and /readyz on real processes: the production web server (Next.js route handlers) and a
 * core node process (core-node/src/main.ts), over the embedded infrastructure. Readiness follows
 * the world: a migration the database lacks makes the node not ready (naming "migrations"), and a
 * database that is gone makes both not ready, each naming what failed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrisma, type PrismaClient } from "@dim/db";
import { startStack, type Stack } from "./helpers/stack";

let stack: Stack;
let nodeUrl: string;
let prisma: PrismaClient;

interface Report {
  status: string;
  notReady: string[];
  checks: Record<string, { ok: boolean; error?: string }>;
}

async function get(url: string): Promise<{ status: number; body: Report & Record<string, unknown>; cache: string | null }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as Report & Record<string, unknown>, cache: res.headers.get("cache-control") };
}

beforeAll(async () => {
  stack = await startStack({ nodes: 1 });
  // The node logs its ws URL in its "ready" line; its HTTP port is the same.
  const ready = stack.processes[0]!.output().split("\n").find((l) => l.includes('"msg":"ready"'))!;
  const { wsUrl } = JSON.parse(ready) as { wsUrl: string };
  nodeUrl = wsUrl.replace(/^ws:/, "http:").replace(/\/ws$/, "");
  prisma = createPrisma(stack.database.url);
}, 20 * 60_000);

afterAll(async () => {
  await prisma?.$disconnect();
  await stack?.stop();
}, 60_000);

describe("the gateway (Next.js)", () => {
  it("/livez is 200 and /readyz is 200 with its checks", async () => {
    expect(await get(`${stack.baseUrl}/livez`)).toEqual({ status: 200, body: { status: "alive" }, cache: "no-store" });
    const ready = await get(`${stack.baseUrl}/readyz`);
    expect(ready).toMatchObject({ status: 200, cache: "no-store" });
    expect(ready.body).toEqual({ status: "ready", notReady: [], checks: { open: { ok: true }, database: { ok: true } } });
  });
});

describe("a core node process", () => {
  it("/livez is 200; /readyz is 200 with every check; /healthz still answers", async () => {
    expect(await get(`${nodeUrl}/livez`)).toEqual({ status: 200, body: { status: "alive" }, cache: "no-store" });
    const ready = await get(`${nodeUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: "ready", notReady: [], phase: "running", nodeId: stack.nodeIds[0] });
    expect(Object.keys(ready.body.checks).sort()).toEqual(["bus", "database", "migrations", "presence", "registered"]);
    expect(Object.values(ready.body.checks).every((c) => c.ok)).toBe(true);
    expect((await get(`${nodeUrl}/healthz`)).body).toMatchObject({ status: "ok", phase: "running" });
  });

  it("is not ready while a migration is missing from the database, and ready again once it is back", async () => {
    const [last] = await prisma.$queryRawUnsafe<Array<{ name: string; checksum: string }>>(
      `SELECT name, checksum FROM "_dim_migrations" ORDER BY name DESC LIMIT 1`,
    );
    await prisma.$executeRawUnsafe(`DELETE FROM "_dim_migrations" WHERE name = $1`, last!.name);
    try {
      const notReady = await get(`${nodeUrl}/readyz`);
      expect(notReady.status).toBe(503);
      expect(notReady.body.notReady).toEqual(["migrations"]);
      expect(notReady.body.checks.migrations!.error).toContain(last!.name);
      // Liveness is not readiness: the process is fine.
      expect((await get(`${nodeUrl}/livez`)).status).toBe(200);
    } finally {
      await prisma.$executeRawUnsafe(`INSERT INTO "_dim_migrations" (name, checksum) VALUES ($1, $2)`, last!.name, last!.checksum);
    }
    expect((await get(`${nodeUrl}/readyz`)).status).toBe(200);
  });
});

describe("when the database is gone", () => {
  it("both answer 503 naming what failed, and stay live", async () => {
    await prisma.$disconnect();
    await stack.database.drop();

    const gw = await get(`${stack.baseUrl}/readyz`);
    expect(gw.status).toBe(503);
    expect(gw.body.notReady).toEqual(["database"]);
    expect(gw.body.checks.database!.error).toBeTruthy();

    const node = await get(`${nodeUrl}/readyz`);
    expect(node.status).toBe(503);
    expect(node.body.notReady).toEqual(expect.arrayContaining(["database", "migrations", "presence"]));
    expect(node.body.notReady).not.toContain("registered");

    expect((await get(`${stack.baseUrl}/livez`)).status).toBe(200);
    expect((await get(`${nodeUrl}/livez`)).status).toBe(200);
  }, 30_000);
});
