import { describe, expect, it } from "vitest";
import { ErrorCode } from "@dim/shared";
import { clientFor, expectAppError, PASSWORD, useTestGateway } from "./helpers";

const JSON_HEADERS = { "content-type": "application/json" };

describe("bad input changes nothing", () => {
  const gw = useTestGateway({ allowedOrigins: ["http://app.example"], maxBodyBytes: 4096, maxBatchSize: 4 });

  async function counts() {
    const [users, sessions, requests, contacts, conversations] = await Promise.all([
      gw.prisma.user.count(),
      gw.prisma.session.count(),
      gw.prisma.contactRequest.count(),
      gw.prisma.contact.count(),
      gw.prisma.conversation.count(),
    ]);
    return { users, sessions, requests, contacts, conversations };
  }

  it("rejects extra keys, wrong types, out-of-bounds values with BAD_REQUEST and issues", async () => {
    const base = await gw.register("valid_user");
    const before = await counts();
    const reg = gw.anon.auth.register;
    const cases: Array<() => Promise<unknown>> = [
      () => reg.mutate({ username: "extra_key", password: PASSWORD, admin: true } as never),
      () => reg.mutate({ username: "Bad Name!", password: PASSWORD }),
      () => reg.mutate({ username: "ab", password: PASSWORD }),
      () => reg.mutate({ username: "x".repeat(33), password: PASSWORD }),
      () => reg.mutate({ username: "short_pw", password: "1234567" }),
      () => reg.mutate({ username: "long_pw", password: "p".repeat(257) }),
      () => reg.mutate({ username: "long_name", password: PASSWORD, displayName: "d".repeat(65) }),
      () => reg.mutate({ username: "blank_name", password: PASSWORD, displayName: "   " }),
      () => reg.mutate({ username: 42, password: PASSWORD } as never),
      () => reg.mutate(undefined as never),
      () => base.client.contacts.request.mutate({ username: "valid_user", note: "hi" } as never),
      () => base.client.contacts.accept.mutate({ requestId: "not-a-uuid" }),
      () => base.client.conversations.markRead.mutate({ conversationId: "00000000-0000-4000-8000-000000000000", seq: -1 }),
      () => base.client.conversations.markRead.mutate({ conversationId: "00000000-0000-4000-8000-000000000000", seq: 1.5 }),
      () => base.client.conversations.history.query({ conversationId: "00000000-0000-4000-8000-000000000000", limit: 201 }),
      () => gw.anon.auth.login.mutate({ username: "", password: PASSWORD }),
    ];
    // One at a time: a batch would mix them into one request.
    for (const call of cases) {
      const err = await expectAppError(call(), ErrorCode.BadRequest);
      expect(err.data.httpStatus).toBe(400);
      expect(Array.isArray(err.data.details?.issues)).toBe(true);
      expect(err.message).toMatch(/^invalid input: /);
    }
    expect(await counts()).toEqual(before);
  });

  it("names the bad field", async () => {
    const err = await expectAppError(gw.anon.auth.register.mutate({ username: "ok_name", password: "short" }), ErrorCode.BadRequest);
    expect(err.data.details?.issues).toEqual([expect.objectContaining({ path: "password" })]);
  });

  it("refuses bodies over the limit with 413 PAYLOAD_TOO_LARGE", async () => {
    const before = await counts();
    const res = await gw.fetch("auth.register", {
      method: "POST",
      headers: JSON_HEADERS,
      body: JSON.stringify({ username: "big_body", password: PASSWORD, displayName: "x".repeat(10_000) }),
    });
    expect(res.status).toBe(413);
    const body = (await res.json()) as { error: { data: { appCode: string } } };
    expect(body.error.data.appCode).toBe(ErrorCode.PayloadTooLarge);
    expect(await counts()).toEqual(before);
  });

  it("answers malformed JSON, unknown procedures and wrong methods with typed errors", async () => {
    const parse = await gw.fetch("auth.register", { method: "POST", headers: JSON_HEADERS, body: "{not json" });
    expect(parse.status).toBe(400);
    expect(((await parse.json()) as { error: { data: { appCode: string } } }).error.data.appCode).toBe(ErrorCode.BadRequest);

    const unknown = await gw.fetch("auth.nope", { method: "POST", headers: JSON_HEADERS, body: "{}" });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { data: { appCode: string } } }).error.data.appCode).toBe(ErrorCode.NotFound);

    const method = await gw.fetch(`auth.register?input=${encodeURIComponent(JSON.stringify({ username: "via_get", password: PASSWORD }))}`);
    expect(method.status).toBe(405);
    expect(await gw.prisma.user.count({ where: { username: "via_get" } })).toBe(0);
  });

  it("limits batch size", async () => {
    const paths = Array.from({ length: 5 }, () => "auth.logout").join(",");
    const res = await gw.fetch(`${paths}?batch=1`, { method: "POST", headers: JSON_HEADERS, body: "{}" });
    expect(res.status).toBe(400);
  });

  it("refuses a cross-origin mutation from an origin not allowed (403) and changes nothing", async () => {
    const before = await counts();
    const res = await gw.fetch("auth.register", {
      method: "POST",
      headers: { ...JSON_HEADERS, origin: "http://evil.example" },
      body: JSON.stringify({ username: "csrf_victim", password: PASSWORD }),
    });
    expect(res.status).toBe(403);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    const body = (await res.json()) as { error: { data: { appCode: string; path: string } } };
    expect(body.error.data).toMatchObject({ appCode: ErrorCode.Forbidden, path: "auth.register" });
    expect(await counts()).toEqual(before);

    // Through the tRPC client too (batched: one error per call).
    const evil = clientFor(gw.server.trpcUrl, undefined, { origin: "http://evil.example" });
    await expectAppError(evil.auth.register.mutate({ username: "csrf_two", password: PASSWORD }), ErrorCode.Forbidden);

    const preflight = await gw.fetch("auth.register", { method: "OPTIONS", headers: { origin: "http://evil.example" } });
    expect(preflight.status).toBe(403);
  });

  it("accepts same-origin and allowed origins, with CORS headers for the allowed one", async () => {
    const same = await gw.fetch("auth.register", {
      method: "POST",
      headers: { ...JSON_HEADERS, origin: gw.server.url },
      body: JSON.stringify({ username: "same_origin", password: PASSWORD }),
    });
    expect(same.status).toBe(200);
    expect(same.headers.get("access-control-allow-origin")).toBeNull();

    const preflight = await gw.fetch("auth.register", { method: "OPTIONS", headers: { origin: "http://app.example" } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("http://app.example");
    expect(preflight.headers.get("access-control-allow-headers")).toContain("authorization");

    const allowed = await gw.fetch("auth.register", {
      method: "POST",
      headers: { ...JSON_HEADERS, origin: "http://app.example" },
      body: JSON.stringify({ username: "allowed_origin", password: PASSWORD }),
    });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get("access-control-allow-origin")).toBe("http://app.example");
    expect(allowed.headers.get("access-control-allow-credentials")).toBe("true");
  });
});
