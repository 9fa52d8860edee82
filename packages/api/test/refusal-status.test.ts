/**
 * `X-DIM-Refusal-Status: 200` (docs/protocol.md §3.2): refusals come back as HTTP 200 with the
 * same typed error body, so a browser does not log an expected answer as a red error; server
 * faults keep their status, and callers without the header see the usual statuses.
 */
import { describe, expect, it } from "vitest";
import { TRPCClientError } from "@trpc/client";
import { ErrorCode } from "@dim/shared";
import type { AppRouter } from "../src/index";
import { clientFor, useTestGateway } from "./helpers";

const gw = useTestGateway();
const OPT_IN = { "x-dim-refusal-status": "200" };

async function errorOf(res: Response): Promise<{ appCode: string; httpStatus: number }> {
  return ((await res.json()) as { error: { data: { appCode: string; httpStatus: number } } }).error.data;
}

describe("refusals as 200 (opt-in)", () => {
  it("answers a signed-out auth.me, an unknown user, yourself and bad input with 200 and the typed error; without the header, the real status", async () => {
    const me = await gw.register("rosa");
    const auth = { authorization: `Bearer ${me.session.sessionToken}`, "content-type": "application/json" };
    const cases: Array<{ path: string; init: RequestInit; status: number; appCode: string }> = [
      { path: "auth.me", init: {}, status: 401, appCode: ErrorCode.Unauthorized },
      { path: "contacts.request", init: { method: "POST", headers: auth, body: JSON.stringify({ username: "nobody_here" }) }, status: 404, appCode: ErrorCode.NotFound },
      { path: "contacts.request", init: { method: "POST", headers: auth, body: JSON.stringify({ username: "rosa" }) }, status: 400, appCode: ErrorCode.BadRequest },
      { path: "contacts.request", init: { method: "POST", headers: auth, body: JSON.stringify({ username: "A!" }) }, status: 400, appCode: ErrorCode.BadRequest },
    ];
    for (const c of cases) {
      const plain = await gw.fetch(c.path, c.init);
      expect(plain.status, c.path).toBe(c.status);
      expect(await errorOf(plain)).toMatchObject({ appCode: c.appCode, httpStatus: c.status });
      const optedIn = await gw.fetch(c.path, { ...c.init, headers: { ...(c.init.headers as Record<string, string>), ...OPT_IN } });
      expect(optedIn.status, c.path).toBe(200);
      expect(await errorOf(optedIn)).toMatchObject({ appCode: c.appCode, httpStatus: c.status });
    }
    // A success is untouched.
    const ok = await gw.fetch("auth.me", { headers: { ...auth, ...OPT_IN } });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { result: { data: { username: string } } }).result.data.username).toBe("rosa");
  });

  it("tRPC's client still rejects with the typed error when the refusal comes as 200", async () => {
    const error = await clientFor(gw.server.trpcUrl, undefined, OPT_IN).auth.me.query().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCClientError);
    expect((error as TRPCClientError<AppRouter>).data).toMatchObject({ appCode: ErrorCode.Unauthorized, httpStatus: 401 });
  });
});
