/**
 * createGatewayClient against the real gateway (standalone server, real PostgreSQL), and the
 * raw HTTP wire format exactly as docs/protocol.md describes it, so the page and the code agree.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrisma, PrismaMessageStore, type PrismaClient } from "@dim/db";
import { createTestDatabase, type TestDatabase } from "@dim/db/testing";
import { createMemoryInfra, type MemoryInfra } from "@dim/infra";
import { startStandaloneGateway, type StandaloneGateway } from "@dim/api";
import { AppError } from "@dim/shared";
import { createGatewayClient, toAppError } from "../src";

let db: TestDatabase;
let prisma: PrismaClient;
let infra: MemoryInfra;
let gateway: StandaloneGateway;

beforeAll(async () => {
  db = await createTestDatabase();
  prisma = createPrisma(db.url);
  infra = createMemoryInfra();
  gateway = await startStandaloneGateway({
    port: 0,
    prisma,
    store: new PrismaMessageStore(prisma),
    registry: infra.registry,
    presence: infra.presence,
    bus: infra.bus,
    config: { tokenSecret: "gateway-client-test-secret-0123" },
  });
});

afterAll(async () => {
  await gateway?.close();
  await infra?.close();
  await prisma?.$disconnect();
  await db?.drop();
});

interface Recorded {
  url: string;
  method: string | undefined;
  headers: Record<string, string>;
  body: unknown;
  credentials: RequestInit["credentials"];
}

function recordingFetch(log: Recorded[]) {
  return async (input: string | URL | Request, init?: RequestInit) => {
    log.push({
      url: String(input),
      method: init?.method,
      headers: Object.fromEntries(new Headers(init?.headers).entries()),
      body: init?.body,
      credentials: init?.credentials,
    });
    return fetch(input, init);
  };
}

describe("createGatewayClient", () => {
  it("queries are GET ?input=<JSON>, mutations POST a JSON body; Bearer header, credentials included, token never in a URL", async () => {
    const log: Recorded[] = [];
    const anon = createGatewayClient({ baseUrl: gateway.url, fetch: recordingFetch(log) });
    const session = await anon.auth.register.mutate({ username: "wire_alice", password: "password-1234" });
    let token: string | null = session.sessionToken;
    const client = createGatewayClient({ baseUrl: `${gateway.url}/`, sessionToken: () => token, fetch: recordingFetch(log) });
    await expect(client.auth.me.query()).resolves.toMatchObject({ username: "wire_alice" });
    await expect(client.users.search.query({ query: "wire" })).resolves.toEqual([]);

    expect(log[0]).toMatchObject({
      url: `${gateway.url}/api/trpc/auth.register`,
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "wire_alice", password: "password-1234" }),
      credentials: "include",
    });
    expect(log[0]!.headers.authorization).toBeUndefined();
    expect(log[1]).toMatchObject({ url: `${gateway.url}/api/trpc/auth.me`, method: "GET", headers: { authorization: `Bearer ${session.sessionToken}` } });
    expect(log[2]!.url).toBe(`${gateway.url}/api/trpc/users.search?input=${encodeURIComponent(JSON.stringify({ query: "wire" }))}`);
    for (const r of log) expect(r.url).not.toContain(session.sessionToken);

    // The token getter is read at every call: after logout there is none.
    await client.auth.logout.mutate();
    token = null;
    await expect(client.auth.me.query()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    expect(log.at(-1)!.headers.authorization).toBeUndefined();
  });

  it("rejects with AppError carrying the gateway's appCode and details", async () => {
    const anon = createGatewayClient({ baseUrl: gateway.url });
    await anon.auth.register.mutate({ username: "wire_bob", password: "password-1234" });

    const taken = await anon.auth.register.mutate({ username: "wire_bob", password: "password-1234" }).catch((e: unknown) => e);
    expect(taken).toBeInstanceOf(AppError);
    expect(taken).toMatchObject({ code: "USERNAME_TAKEN" });

    // INVALID_CREDENTIALS travels as tRPC UNAUTHORIZED; the client must give back our own code.
    await expect(anon.auth.login.mutate({ username: "wire_bob", password: "wrong-password" })).rejects.toMatchObject({
      code: "INVALID_CREDENTIALS",
      message: "wrong username or password",
    });

    const bad = (await anon.auth.register.mutate({ username: "X", password: "short" }).catch((e: unknown) => e)) as AppError;
    expect(bad.code).toBe("BAD_REQUEST");
    expect(bad.details?.issues).toEqual(expect.arrayContaining([expect.objectContaining({ path: "username" })]));

    await expect(anon.nodes.assign.mutate({ exclude: [] })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("an unreachable gateway is an AppError too", async () => {
    const client = createGatewayClient({ baseUrl: "http://127.0.0.1:9", fetch: () => Promise.reject(new TypeError("fetch failed")) });
    await expect(client.auth.me.query()).rejects.toMatchObject({ code: "INTERNAL", message: expect.stringContaining("gateway unreachable") });
    expect(toAppError("odd")).toMatchObject({ code: "INTERNAL" });
  });
});

describe("raw HTTP, as docs/protocol.md documents it", () => {
  const trpc = () => `${gateway.url}/api/trpc`;

  it("success is {result:{data}}; errors are {error:{code,message,data:{code,httpStatus,path,appCode}}}", async () => {
    const reg = await fetch(`${trpc()}/auth.register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "raw_carol", password: "password-1234", displayName: "Carol" }),
    });
    expect(reg.status).toBe(200);
    expect(reg.headers.get("set-cookie")).toMatch(/^dim_session=[^;]+; .*HttpOnly/);
    const { result } = (await reg.json()) as { result: { data: { sessionToken: string; user: { displayName: string } } } };
    expect(result.data.user.displayName).toBe("Carol");
    const token = result.data.sessionToken;

    const me = await fetch(`${trpc()}/auth.me`, { headers: { authorization: `Bearer ${token}` } });
    expect(await me.json()).toEqual({ result: { data: expect.objectContaining({ username: "raw_carol" }) } });

    // The cookie works as well as the header.
    const byCookie = await fetch(`${trpc()}/auth.me`, { headers: { cookie: `dim_session=${token}` } });
    expect(byCookie.status).toBe(200);

    const search = await fetch(`${trpc()}/users.search?input=${encodeURIComponent(JSON.stringify({ query: "raw", limit: 5 }))}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(await search.json()).toEqual({ result: { data: [] } });

    const anon = await fetch(`${trpc()}/auth.me`);
    expect(anon.status).toBe(401);
    expect(await anon.json()).toEqual({
      error: {
        code: -32001,
        message: "not signed in, or the session expired",
        data: { code: "UNAUTHORIZED", httpStatus: 401, appCode: "UNAUTHORIZED", path: "auth.me" },
      },
    });

    const noNode = await fetch(`${trpc()}/nodes.assign`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: "{}",
    });
    expect(noNode.status).toBe(503);
    expect(await noNode.json()).toMatchObject({ error: { data: { appCode: "NO_NODE_AVAILABLE", code: "SERVICE_UNAVAILABLE" } } });

    const getMutation = await fetch(`${trpc()}/auth.logout`);
    expect(getMutation.status).toBe(405);

    const noContentType = await fetch(`${trpc()}/auth.logout`, { method: "POST" });
    expect(noContentType.status).toBe(415);

    const logout = await fetch(`${trpc()}/auth.logout`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    });
    expect(await logout.json()).toEqual({ result: { data: { ok: true } } });
  });

  it("batching: paths joined by ',', ?batch=1, input an object keyed by index; answers an array", async () => {
    const reg = await fetch(`${trpc()}/auth.register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "raw_dave", password: "password-1234" }),
    });
    const token = ((await reg.json()) as { result: { data: { sessionToken: string } } }).result.data.sessionToken;
    const res = await fetch(
      `${trpc()}/auth.me,users.search?batch=1&input=${encodeURIComponent(JSON.stringify({ "1": { query: "zzz" } }))}`,
      { headers: { authorization: `Bearer ${token}` } },
    );
    expect(await res.json()).toEqual([{ result: { data: expect.objectContaining({ username: "raw_dave" }) } }, { result: { data: [] } }]);
  });
});
