/**
 * Limits hold across gateway processes (docs/protocol.md §3.5): two gateways composed as web/
 * composes them (createGatewayFromEnv, embedded mode), each with its own Prisma, pool and infra,
 * sharing one database. Calls from one address (127.0.0.1) spread over both are limited as one.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@dim/db/testing";
import { ErrorCode } from "@dim/shared";
import { createGatewayFromEnv, startStandaloneGateway, type StandaloneGateway } from "../src/index";
import { clientFor, expectAppError, PASSWORD, TOKEN_SECRET, type Client } from "./helpers";

describe("two gateways sharing one database", () => {
  let db: TestDatabase;
  const servers: StandaloneGateway[] = [];
  let a: Client;
  let b: Client;
  beforeAll(async () => {
    db = await createTestDatabase();
    const env = {
      DATABASE_URL: db.url,
      DIM_TOKEN_SECRET: TOKEN_SECRET,
      DIM_MODE: "embedded",
      DIM_REGISTER_MAX_PER_IP: "3",
      DIM_LOGIN_MAX_ATTEMPTS: "3",
      DIM_LOGIN_MAX_ATTEMPTS_PER_IP: "6",
      DIM_SEARCH_MAX_PER_USER: "4",
    };
    for (let i = 0; i < 2; i++) servers.push(await startStandaloneGateway({ gateway: await createGatewayFromEnv(env) }));
    [a, b] = servers.map((s) => clientFor(s.trpcUrl)) as [Client, Client];
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await db?.drop();
  });

  it("limits registrations from one address across both gateways as one bucket", async () => {
    await a.auth.register.mutate({ username: "shared_r1", password: PASSWORD });
    await b.auth.register.mutate({ username: "shared_r2", password: PASSWORD });
    const third = await a.auth.register.mutate({ username: "shared_r3", password: PASSWORD });
    const refused = await expectAppError(b.auth.register.mutate({ username: "shared_r4", password: PASSWORD }), ErrorCode.RateLimited);
    expect(refused.data.details?.retryAfterMs).toBeGreaterThan(0);
    await expectAppError(a.auth.register.mutate({ username: "shared_r5", password: PASSWORD }), ErrorCode.RateLimited);

    // Searches of one user, spread over both gateways, share that user's bucket.
    const [onA, onB] = [clientFor(servers[0]!.trpcUrl, third.sessionToken), clientFor(servers[1]!.trpcUrl, third.sessionToken)];
    for (const c of [onA, onB, onA, onB]) await c.users.search.query({ query: "shared" });
    await expectAppError(onB.users.search.query({ query: "shared" }), ErrorCode.RateLimited);
    await expectAppError(onA.users.search.query({ query: "shared" }), ErrorCode.RateLimited);
  });

  it("limits login attempts per username and per address across both gateways; success refills the username", async () => {
    // Per username: 3 wrong passwords, alternating gateways, then refused on either.
    for (const c of [a, b, a]) await expectAppError(c.auth.login.mutate({ username: "shared_r1", password: "wrong-password" }), ErrorCode.InvalidCredentials);
    await expectAppError(b.auth.login.mutate({ username: "shared_r1", password: PASSWORD }), ErrorCode.RateLimited);
    await expectAppError(a.auth.login.mutate({ username: "shared_r1", password: PASSWORD }), ErrorCode.RateLimited);

    // A success on one gateway refills the username's bucket for the other (3 address tokens spent so far).
    await b.auth.login.mutate({ username: "shared_r2", password: "wrong-password" }).catch(() => undefined); // 4
    await a.auth.login.mutate({ username: "shared_r2", password: PASSWORD }); // 5, resets shared_r2
    await b.auth.login.mutate({ username: "shared_r2", password: PASSWORD }); // 6: the address's last token
    // The address is now spent on both gateways, whatever the username.
    await expectAppError(a.auth.login.mutate({ username: "shared_r3", password: PASSWORD }), ErrorCode.RateLimited);
    await expectAppError(b.auth.login.mutate({ username: "nobody_here", password: PASSWORD }), ErrorCode.RateLimited);
  });
});
