/**
 * A node going away with hundreds of sockets (graceful stop, embedded infra): its users' contacts
 * on the other node hear they went offline in a few coalesced frames, not one per socket, and
 * every user's last seen is stored.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { connectAs, createUser, startCluster, useTestDatabase } from "./helpers/cluster";

const USERS = 300;

describe("presence when a node stops", () => {
  const db = useTestDatabase();

  it(`${USERS} users going offline with their node reach a watcher on the other node in a few frames`, async () => {
    const { a, b } = await startCluster(db, { presenceCoalesceMs: 200 });
    const watcher = await createUser(db.prisma);
    const users = await Promise.all(Array.from({ length: USERS }, () => createUser(db.prisma)));
    // each user and the watcher are contacts (both rows), with their direct conversation
    for (const u of users) {
      const conv = randomUUID();
      await db.prisma.conversation.create({
        data: { id: conv, kind: "direct", directKey: [u, watcher].sort().join(":"), members: { create: [{ userId: u }, { userId: watcher }] } },
      });
      await db.prisma.contact.createMany({ data: [{ ownerId: u, peerId: watcher, conversationId: conv }, { ownerId: watcher, peerId: u, conversationId: conv }] });
    }
    const { client: watching } = await connectAs(b, watcher);
    await Promise.all(users.map((u) => connectAs(a, u)));
    const online = new Set<string>();
    while (online.size < USERS) for (const c of (await watching.next("presence", (f) => !f.full)).contacts) if (c.online) online.add(c.userId);

    const before = watching.all("presence").length;
    await a.node.stop();
    const offline = new Set<string>();
    while (offline.size < USERS) {
      for (const c of (await watching.next("presence", (f) => !f.full)).contacts) if (!c.online && c.lastSeenAt !== null) offline.add(c.userId);
    }
    expect(watching.all("presence").length - before).toBeLessThanOrEqual(3);
    const stored = await db.prisma.user.count({ where: { id: { in: users }, lastSeenAt: { not: null } } });
    expect(stored).toBe(USERS);
  });
});
