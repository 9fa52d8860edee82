/**
 * The per-address registration limit (docs/protocol.md §3.5: 30 per address per 10 minutes)
 * through the real Next.js route on the production server (scripts/serve-web.ts): the route
 * hands the gateway the socket's peer address, a client-sent X-Forwarded-For is ignored unless
 * DIM_TRUST_PROXY, and with it the right-most forwarded address is the one counted.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorCode } from "@dim/shared";
import { startStack, type Stack } from "./helpers/stack";

const LIMIT = 30; // DIM_REGISTER_MAX_PER_IP's default, left unset here on purpose.
const PASSWORD = "correct horse battery";

/** auth.register over plain HTTP, so the test decides every header. Returns the appCode or "OK". */
async function register(stack: Stack, headers: Record<string, string> = {}): Promise<string> {
  const username = `ip_${randomBytes(6).toString("hex")}`;
  const res = await fetch(`${stack.baseUrl}/api/trpc/auth.register`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ username, password: PASSWORD }),
  });
  const body = (await res.json()) as { result?: unknown; error?: { data?: { appCode?: string } } };
  if (res.ok && body.result) return "OK";
  return body.error?.data?.appCode ?? `HTTP ${res.status}`;
}

async function registerMany(stack: Stack, n: number, headers: Record<string, string> = {}): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(await register(stack, headers));
  return out;
}

describe("without DIM_TRUST_PROXY", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ nodes: 0 });
  }, 20 * 60_000);
  afterAll(() => stack?.stop(), 60_000);

  it("refuses the 31st registration from one address, whatever X-Forwarded-For claims", async () => {
    // Each request claims another address: none of them is believed, all count for 127.0.0.1.
    const claims = Array.from({ length: LIMIT }, (_, i) => ({ "x-forwarded-for": `203.0.113.${i + 1}` }));
    const results: string[] = [];
    for (const headers of claims) results.push(await register(stack, headers));
    expect(results).toEqual(Array(LIMIT).fill("OK"));

    expect(await register(stack)).toBe(ErrorCode.RateLimited);
    expect(await register(stack, { "x-forwarded-for": "198.51.100.99" })).toBe(ErrorCode.RateLimited);
    expect(await register(stack, { "x-forwarded-for": "198.51.100.98, 198.51.100.97" })).toBe(ErrorCode.RateLimited);
  }, 120_000);
});

describe("with DIM_TRUST_PROXY=1", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ nodes: 0, webEnv: { DIM_TRUST_PROXY: "1" } });
  }, 20 * 60_000);
  afterAll(() => stack?.stop(), 60_000);

  it("counts distinct forwarded addresses apart (the right-most entry, the one our proxy saw)", async () => {
    const a = { "x-forwarded-for": "198.51.100.1" };
    expect(await registerMany(stack, LIMIT, a)).toEqual(Array(LIMIT).fill("OK"));
    expect(await register(stack, a)).toBe(ErrorCode.RateLimited);
    // A forged entry on the left does not help: the right-most is still 198.51.100.1.
    expect(await register(stack, { "x-forwarded-for": "10.9.9.9, 198.51.100.1" })).toBe(ErrorCode.RateLimited);

    expect(await register(stack, { "x-forwarded-for": "198.51.100.2" })).toBe("OK");
    expect(await register(stack, { "x-forwarded-for": "10.9.9.9, 198.51.100.3" })).toBe("OK");
    // No header: the socket's own address, which has its own bucket.
    expect(await register(stack)).toBe("OK");
  }, 120_000);
});
