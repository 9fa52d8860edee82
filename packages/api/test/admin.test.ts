/**
 * admin.*: the first account is the admin; every admin procedure is refused (FORBIDDEN) for a
 * normal user and UNAUTHORIZED without a session; disable ends the sessions and refuses login;
 * every action leaves an audit row. Real gateway over HTTP on embedded PostgreSQL.
 */
import { describe, expect, it } from "vitest";
import { ErrorCode } from "@dim/shared";
import { createUser } from "../src/auth/create-user";
import { hashSessionToken } from "../src/auth/session";
import { clientFor, expectAppError, PASSWORD, useTestGateway, type Client } from "./helpers";

const gw = useTestGateway({ loginMaxAttempts: 1000, loginMaxAttemptsPerIp: 1000 });

/** A core node in the gateway's registry, as a node process would register it. */
function registerNode(nodeId: string, port: number, startedAt = new Date().toISOString()) {
  return gw.infra.registry.register({ nodeId, host: "127.0.0.1", wsPort: port, httpPort: port, wsUrl: `ws://127.0.0.1:${port}/ws`, startedAt });
}

/** Every admin procedure, called with valid input. */
function everyAdminCall(c: Client, userId: string) {
  return {
    nodes: () => c.admin.nodes.query(),
    drainNode: () => c.admin.drainNode.mutate({ nodeId: "node-a", epoch: 1 }),
    userLookup: () => c.admin.userLookup.query({ username: "root" }),
    disableUser: () => c.admin.disableUser.mutate({ userId }),
    enableUser: () => c.admin.enableUser.mutate({ userId }),
    audit: () => c.admin.audit.query({}),
  };
}

describe("admin", () => {
  let root: Awaited<ReturnType<typeof gw.register>>;
  let bob: Awaited<ReturnType<typeof gw.register>>;

  it("makes the first registered user the admin, and nobody after", async () => {
    root = await gw.register("root");
    bob = await gw.register("bob");
    expect(await root.client.auth.me.query()).toMatchObject({ username: "root", isAdmin: true });
    expect(await bob.client.auth.me.query()).toMatchObject({ username: "bob", isAdmin: false });
  });

  it("refuses every admin procedure to a normal user (FORBIDDEN) and to no session (UNAUTHORIZED)", async () => {
    const calls = Object.entries(everyAdminCall(bob.client, root.id));
    const anon = everyAdminCall(gw.anon, root.id);
    expect(calls.map(([name]) => name).sort()).toEqual(["audit", "disableUser", "drainNode", "enableUser", "nodes", "userLookup"]);
    for (const [name, call] of calls) {
      const { data } = await expectAppError(call(), ErrorCode.Forbidden);
      expect(data.httpStatus, name).toBe(403);
      await expectAppError(anon[name as keyof typeof anon](), ErrorCode.Unauthorized);
    }
    // nothing happened: root is not disabled, and no audit row was written
    expect((await gw.prisma.user.findUniqueOrThrow({ where: { id: root.id } })).disabledAt).toBeNull();
    expect(await gw.prisma.adminAudit.count()).toBe(0);
  });

  it("lists the live nodes with epoch, uptime and connections", async () => {
    const reg = await registerNode("node-a", 7101, new Date(Date.now() - 90_000).toISOString());
    try {
      reg.setConnections(3);
      reg.setMessageRates({ inPerSec: 4.26, outPerSec: 9 });
      await expect.poll(async () => (await root.client.admin.nodes.query()).nodes).toEqual([
        expect.objectContaining({ nodeId: "node-a", epoch: reg.epoch, connections: 3, messagesInPerSec: 4.3, messagesOutPerSec: 9, draining: false }),
      ]);
      const [node] = (await root.client.admin.nodes.query()).nodes;
      expect(node!.uptimeSeconds).toBeGreaterThanOrEqual(89);
    } finally {
      await reg.deregister();
    }
  });

  it("looks a user up with its sessions (created, last used, user agent, address)", async () => {
    const phone = clientFor(gw.server.trpcUrl, undefined, { "user-agent": "DimTest/1.0 (phone)" });
    const login = await phone.auth.login.mutate({ username: "bob", password: PASSWORD });
    // a socket connect (nodes.assign) moves "last used" past the sign-in
    await new Promise((r) => setTimeout(r, 20));
    const reg = await registerNode("node-b", 7102);
    await clientFor(gw.server.trpcUrl, login.sessionToken).nodes.assign.mutate({});
    await reg.deregister();
    const found = await root.client.admin.userLookup.query({ username: " BOB " });
    expect(found.user).toMatchObject({ id: bob.id, username: "bob", isAdmin: false, disabledAt: null });
    expect(found.sessions).toHaveLength(2);
    const s = found.sessions.find((x) => x.userAgent === "DimTest/1.0 (phone)");
    expect(s).toBeDefined();
    expect(s!.ip).toMatch(/127\.0\.0\.1|::1/);
    expect(new Date(s!.lastUsedAt!).getTime()).toBeGreaterThan(new Date(s!.createdAt).getTime());
    expect(new Date(s!.expiresAt).getTime()).toBe(new Date(login.expiresAt).getTime());
    await expectAppError(root.client.admin.userLookup.query({ username: "nobody" }), ErrorCode.NotFound);
    await expectAppError(root.client.admin.userLookup.query({ username: "Not A Name!" }), ErrorCode.BadRequest);
  });

  it("disables an account: its sessions end, login says ACCOUNT_DISABLED (wrong password still INVALID_CREDENTIALS); enable restores login", async () => {
    const other = await gw.anon.auth.login.mutate({ username: "bob", password: PASSWORD });
    const out = await root.client.admin.disableUser.mutate({ userId: bob.id });
    expect(out.sessionsEnded).toBe(3);
    await expectAppError(bob.client.auth.me.query(), ErrorCode.Unauthorized);
    await expectAppError(gw.client(other.sessionToken).auth.me.query(), ErrorCode.Unauthorized);
    expect(await gw.prisma.session.count({ where: { userId: bob.id } })).toBe(0);
    await expectAppError(gw.anon.auth.login.mutate({ username: "bob", password: PASSWORD }), ErrorCode.AccountDisabled);
    await expectAppError(gw.anon.auth.login.mutate({ username: "bob", password: "wrong-password-1" }), ErrorCode.InvalidCredentials);
    expect(await gw.prisma.session.count({ where: { userId: bob.id } })).toBe(0);

    // a session that slipped in (a login racing the disable) is not live either
    const slipped = "slipped-in-session-token";
    await gw.prisma.session.create({
      data: { id: crypto.randomUUID(), userId: bob.id, tokenHash: hashSessionToken(slipped), expiresAt: new Date(Date.now() + 60_000) },
    });
    await expectAppError(gw.client(slipped).auth.me.query(), ErrorCode.Unauthorized);
    expect((await root.client.admin.userLookup.query({ username: "bob" })).user.disabledAt).toBe(out.disabledAt);

    expect(await root.client.admin.enableUser.mutate({ userId: bob.id })).toEqual({ ok: true });
    // enabling does not bring the slipped-in session back
    await expectAppError(gw.client(slipped).auth.me.query(), ErrorCode.Unauthorized);
    const back = await gw.anon.auth.login.mutate({ username: "bob", password: PASSWORD });
    expect((await gw.client(back.sessionToken).auth.me.query()).username).toBe("bob");
  });

  it("refuses to disable oneself or an unknown user, and changes nothing", async () => {
    await expectAppError(root.client.admin.disableUser.mutate({ userId: root.id }), ErrorCode.Conflict);
    await expectAppError(root.client.admin.disableUser.mutate({ userId: crypto.randomUUID() }), ErrorCode.NotFound);
    await expectAppError(root.client.admin.disableUser.mutate({ userId: "not-a-uuid" }), ErrorCode.BadRequest);
    expect((await root.client.auth.me.query()).isAdmin).toBe(true);
  });

  it("audits every action, newest first, in pages", async () => {
    const first = await root.client.admin.audit.query({ limit: 2 });
    expect(first.entries.map((e) => e.action)).toEqual(["enable", "lookup"]);
    expect(first.entries[0]).toMatchObject({ actor: "root", target: "bob", targetUserId: bob.id, details: { wasDisabled: true } });
    expect(first.nextCursor).not.toBeNull();
    const rest = await root.client.admin.audit.query({ cursor: first.nextCursor! });
    expect(rest.entries.map((e) => e.action)).toEqual(["disable", "lookup"]);
    expect(rest.entries[0]!.details).toEqual({ sessionsEnded: 3, alreadyDisabled: false });
    expect(rest.nextCursor).toBeNull();
    await expectAppError(root.client.admin.audit.query({ cursor: "abc" }), ErrorCode.BadRequest);
  });

  it("drains a node over the bus (node.drain to its own inbox, for the epoch seen), audited; refuses unknown nodes, stale epochs and bad input", async () => {
    const received: string[] = [];
    await gw.infra.bus.subscribe("node-d", async (payload) => void received.push(payload));
    const reg = await registerNode("node-d", 7104);
    try {
      const auditBefore = await gw.prisma.adminAudit.count();
      await expectAppError(root.client.admin.drainNode.mutate({ nodeId: "node-d", epoch: reg.epoch + 1 }), ErrorCode.Conflict);
      await expectAppError(root.client.admin.drainNode.mutate({ nodeId: "node-gone", epoch: 1 }), ErrorCode.NotFound);
      await expectAppError(root.client.admin.drainNode.mutate({ nodeId: "bad id!", epoch: 1 }), ErrorCode.BadRequest);
      await expectAppError(root.client.admin.drainNode.mutate({ nodeId: "node-d", epoch: 0 }), ErrorCode.BadRequest);
      expect(await gw.prisma.adminAudit.count()).toBe(auditBefore);
      expect(received).toEqual([]);

      expect(await root.client.admin.drainNode.mutate({ nodeId: "node-d", epoch: reg.epoch })).toEqual({ nodeId: "node-d", epoch: reg.epoch, alreadyDraining: false });
      await expect.poll(() => received.map((p) => JSON.parse(p) as unknown)).toEqual([{ type: "node.drain", nodeId: "node-d", epoch: reg.epoch, by: "root" }]);
      const [entry] = (await root.client.admin.audit.query({ limit: 1 })).entries;
      expect(entry).toMatchObject({ actor: "root", action: "drain", target: "node-d", targetUserId: null, details: { epoch: reg.epoch, alreadyDraining: false } });

      // The node marks itself draining (as its drain does): the list says so, and a second click is harmless.
      await reg.setDraining();
      expect((await root.client.admin.nodes.query()).nodes.find((n) => n.nodeId === "node-d")?.draining).toBe(true);
      expect((await root.client.admin.drainNode.mutate({ nodeId: "node-d", epoch: reg.epoch })).alreadyDraining).toBe(true);
      // A normal user cannot, and nothing is sent.
      const carol = await gw.register("carol");
      await expectAppError(carol.client.admin.drainNode.mutate({ nodeId: "node-d", epoch: reg.epoch }), ErrorCode.Forbidden);
      await expect.poll(() => received.length).toBe(2);
    } finally {
      await reg.deregister();
    }
  });

  it("makes exactly one admin when the first registrations race", async () => {
    await gw.prisma.$executeRawUnsafe("TRUNCATE users CASCADE");
    const users = Array.from({ length: 6 }, (_, i) => ({
      id: crypto.randomUUID(),
      username: `racer_${i}`,
      passwordHash: "x",
      displayName: `Racer ${i}`,
    }));
    const made = await Promise.all(users.map((u) => createUser(gw.prisma, u)));
    expect(made.filter((u) => u.isAdmin)).toHaveLength(1);
  });
});
