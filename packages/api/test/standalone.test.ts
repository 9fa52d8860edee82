/**
 * The standalone HTTP server's framing: a JSON answer goes out whole with its Content-Length
 * (one write), anything else is streamed as the handler produces it.
 */
import { describe, expect, it } from "vitest";
import { startStandaloneGateway, type Gateway } from "../src/index";
import { useTestGateway } from "./helpers";

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
});
