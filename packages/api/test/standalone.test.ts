/**
 * The standalone HTTP server's framing: a JSON answer goes out whole with its Content-Length
 * (one write), anything else is streamed as the handler produces it. Its /livez and /readyz.
 */
import { describe, expect, it } from "vitest";
import { createPgPool } from "@dim/db";
import { startStandaloneGateway, type Gateway } from "../src/index";
import { TOKEN_SECRET, useTestGateway } from "./helpers";

describe("standalone server", () => {
  const gw = useTestGateway();

  it("sends a JSON answer whole, with its length and its cookies", async () => {
    const res = await gw.fetch("auth.register", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "framed", password: "password-1234" }),
    });
    const body = Buffer.from(await res.arrayBuffer());
    expect(res.status).toBe(200);
    expect(res.headers.get("transfer-encoding")).toBeNull();
    expect(Number(res.headers.get("content-length"))).toBe(body.length);
    expect(JSON.parse(body.toString("utf8")).result.data.user.username).toBe("framed");
    expect(res.headers.getSetCookie()).toEqual([expect.stringMatching(/^dim_session=/)]);

    const error = await gw.fetch("auth.me");
    expect(error.status).toBe(401);
    expect(Number(error.headers.get("content-length"))).toBe((await error.arrayBuffer()).byteLength);
  });

  it("streams a non-JSON answer chunk by chunk", async () => {
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const streaming: Gateway = {
      router: gw.server.gateway.router,
      config: gw.server.gateway.config,
      metrics: gw.server.gateway.metrics,
      async fetchHandler() {
        let step = 0;
        const body = new ReadableStream<Uint8Array>({
          async pull(controller) {
            step += 1;
            if (step === 1) return controller.enqueue(new TextEncoder().encode("first\n"));
            await released;
            controller.enqueue(new TextEncoder().encode("second\n"));
            controller.close();
          },
        });
        return new Response(body, { headers: { "content-type": "application/jsonl" } });
      },
      readiness: () => gw.server.gateway.readiness(),
      async close() {},
    };
    const server = await startStandaloneGateway({ port: 0, gateway: streaming });
    try {
      const res = await fetch(`${server.trpcUrl}/anything`);
      expect(res.headers.get("content-length")).toBeNull();
      const reader = res.body!.getReader();
      // The first chunk arrives while the handler still holds the second back.
      expect(new TextDecoder().decode((await reader.read()).value)).toBe("first\n");
      release();
      let rest = "";
      for (let r = await reader.read(); !r.done; r = await reader.read()) rest += new TextDecoder().decode(r.value);
      expect(rest).toBe("second\n");
    } finally {
      release();
      await server.close();
    }
  });

  it("answers /livez, and /readyz with the database check (503 naming it once the pool is gone)", async () => {
    const live = await fetch(`${gw.server.url}/livez`);
    expect([live.status, await live.json(), live.headers.get("cache-control")]).toEqual([200, { status: "alive" }, "no-store"]);
    const ready = await fetch(`${gw.server.url}/readyz`);
    expect([ready.status, await ready.json()]).toEqual([200, { status: "ready", notReady: [], checks: { open: { ok: true }, database: { ok: true } } }]);

    // A gateway of its own over a pool that is then ended: the database check fails, by name.
    const pool = createPgPool(gw.db.url, { poolSize: 1, applicationName: "dim-test-readyz" });
    const server = await startStandaloneGateway({
      port: 0,
      prisma: gw.prisma,
      pool,
      store: gw.store,
      registry: gw.infra.registry,
      config: { tokenSecret: TOKEN_SECRET },
    });
    try {
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
      await pool.end();
      const down = await fetch(`${server.url}/readyz`);
      const body = (await down.json()) as { notReady: string[]; checks: Record<string, { ok: boolean; error?: string }> };
      expect(down.status).toBe(503);
      expect(body.notReady).toEqual(["database"]);
      expect(body.checks.database!.error).toBeTruthy();
      await server.gateway.close();
      expect(((await (await fetch(`${server.url}/readyz`)).json()) as { notReady: string[] }).notReady).toEqual(["open", "database"]);
    } finally {
      await server.close();
    }
  });
});
