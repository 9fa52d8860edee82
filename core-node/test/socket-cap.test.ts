/**
 * The per-user socket cap (DIM_MAX_SOCKETS_PER_USER) on two real nodes sharing one embedded
 * presence: counted over both nodes; the newest socket past it gets an `error` LIMIT_EXCEEDED and
 * close 4409 while the open ones keep working; a close frees a place; sockets authenticating at
 * the same moment never pass it together.
 */
import { describe, expect, it } from "vitest";
import { CloseCode, ErrorCode } from "@dim/shared";
import { connectAs, createUser, openSocket, startCluster, tokenFor, useTestDatabase, type TestNode } from "./helpers/cluster";
import type { TestClient } from "./helpers/test-client";

const db = useTestDatabase();

async function refused(node: TestNode, userId: string, limit: number): Promise<void> {
  const client = await openSocket(node);
  client.send({ type: "auth", v: 1, token: tokenFor(userId, node.nodeId) });
  expect(await client.next("error")).toMatchObject({ code: ErrorCode.LimitExceeded, ref: "auth" });
  expect(client.all("error")[0]!.message).toContain(`${limit} connections`);
  expect((await client.waitClosed()).code).toBe(CloseCode.TooManySockets);
  expect(client.all("welcome")).toHaveLength(0);
}

describe("the per-user socket cap", () => {
  it("counts a user's sockets over all nodes, refuses the newest past the cap, and frees a place on close", async () => {
    const { a, b } = await startCluster(db, { maxSocketsPerUser: 2 });
    const user = await createUser(db.prisma);
    const first = await connectAs(a, user);
    const second = await connectAs(b, user);
    await refused(a, user, 2);
    await refused(b, user, 2);
    // The refused ones changed nothing: two leases, both nodes count one socket each, both work.
    expect((await a.infra.presence.routesOf([user])).map((r) => r.connectionId).sort()).toEqual([first.welcome.connectionId, second.welcome.connectionId].sort());
    expect([a.node.connectionCount, b.node.connectionCount]).toEqual([1, 1]);
    await first.client.roundTrip();
    await second.client.roundTrip();
    // Another user has places of their own.
    await connectAs(a, await createUser(db.prisma));

    first.client.close();
    await first.client.waitClosed();
    await expect.poll(async () => (await a.infra.presence.routesOf([user])).length, { timeout: 10_000 }).toBe(1);
    const third = await connectAs(a, user);
    expect(third.welcome.userId).toBe(user);
    await refused(b, user, 2);
  });

  it("sockets of one user authenticating at once on two nodes never pass the cap together", async () => {
    const { a, b } = await startCluster(db, { maxSocketsPerUser: 3 });
    const user = await createUser(db.prisma);
    await connectAs(a, user); // a session row for the tokens below
    const clients: TestClient[] = [];
    for (let i = 0; i < 8; i++) clients.push(await openSocket(i % 2 ? a : b));
    clients.forEach((c, i) => c.send({ type: "auth", v: 1, token: tokenFor(user, (i % 2 ? a : b).nodeId) }));
    const outcomes = await Promise.all(clients.map((c) => Promise.race([c.next("welcome").then(() => "welcome"), c.next("error").then((e) => e.code)])));
    expect(outcomes.filter((o) => o === "welcome")).toHaveLength(2);
    expect(outcomes.filter((o) => o === ErrorCode.LimitExceeded)).toHaveLength(6);
    expect(await a.infra.presence.routesOf([user])).toHaveLength(3);
    expect(a.node.connectionCount + b.node.connectionCount).toBe(3);
  });
});
