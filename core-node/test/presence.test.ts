/**
 * Online / last seen across two real nodes and the real gateway (embedded infra): contacts hear
 * of a user coming online and going offline (with its stored last seen), once all its devices
 * are gone; `presence.query` answers the current picture; "hide my last seen" hides it both
 * ways; a mass disconnect is coalesced into a bounded number of frames per recipient.
 */
import { describe, expect, it } from "vitest";
import { ErrorCode, type ContactPresence } from "@dim/shared";
import { connectAs } from "./helpers/cluster";
import { useGroupSystem } from "./helpers/group-system";
import type { TestClient } from "./helpers/test-client";

const COALESCE_MS = 150;

/** The next pushed (not full) presence entry about `userId` that matches. */
async function nextAbout(client: TestClient, userId: string, match: (c: ContactPresence) => boolean = () => true): Promise<ContactPresence> {
  const frame = await client.next("presence", (f) => !f.full && f.contacts.some((c) => c.userId === userId && match(c)));
  return frame.contacts.find((c) => c.userId === userId && match(c))!;
}

async function query(client: TestClient): Promise<Map<string, ContactPresence>> {
  client.send({ type: "presence.query" });
  const entries = new Map<string, ContactPresence>();
  for (;;) {
    const frame = await client.next("presence", (f) => f.full);
    for (const c of frame.contacts) entries.set(c.userId, c);
    if (frame.last) return entries;
  }
}

async function lastSeenInDb(sys: ReturnType<typeof useGroupSystem>, userId: string): Promise<Date | null> {
  return (await sys.prisma.user.findUniqueOrThrow({ where: { id: userId }, select: { lastSeenAt: true } })).lastSeenAt;
}

describe("presence over two nodes", () => {
  const sys = useGroupSystem({ nodes: 2, config: { presenceCoalesceMs: COALESCE_MS } });

  it("online when any device is connected, then offline with the stored last seen; presence.query agrees", async () => {
    const [n0, n1] = [sys.nodes[0]!, sys.nodes[1]!];
    const owner = await sys.register();
    const [ann, stranger] = (await sys.contactsOf(owner.id, 1)).concat(await sys.contactsOf((await sys.register()).id, 1)) as [string, string];
    const ownerOn0 = (await connectAs(n0, owner.id)).client;
    const before = await query(ownerOn0);
    expect([...before.values()]).toEqual([{ userId: ann, online: false, lastSeenAt: null }]);

    const annPhone = (await connectAs(n1, ann)).client;
    expect(await nextAbout(ownerOn0, ann)).toEqual({ userId: ann, online: true, lastSeenAt: null });
    const annLaptop = (await connectAs(n0, ann)).client;
    // one of two devices goes: still online (no offline news, no last seen stored)
    annPhone.close();
    expect(await nextAbout(ownerOn0, ann)).toEqual({ userId: ann, online: true, lastSeenAt: null });
    expect(await lastSeenInDb(sys, ann)).toBeNull();
    annLaptop.close();
    const offline = await nextAbout(ownerOn0, ann, (c) => !c.online);
    const stored = await lastSeenInDb(sys, ann);
    expect(stored).not.toBeNull();
    expect(offline).toEqual({ userId: ann, online: false, lastSeenAt: stored!.toISOString() });

    // a user who is not a contact hears nothing of ann, and is not in the owner's answer
    const strangerOn1 = (await connectAs(n1, stranger)).client;
    await connectAs(n1, ann);
    await nextAbout(ownerOn0, ann, (c) => c.online);
    await strangerOn1.roundTrip();
    expect(strangerOn1.all("presence").filter((f) => !f.full).flatMap((f) => f.contacts).map((c) => c.userId)).not.toContain(ann);
    const now = await query((await connectAs(n1, owner.id)).client);
    expect(now.get(ann)).toEqual({ userId: ann, online: true, lastSeenAt: null });
    expect(now.has(stranger)).toBe(false);
  });

  it("hide my last seen: the others don't see mine, I don't see theirs; online stays visible", async () => {
    const [n0, n1] = [sys.nodes[0]!, sys.nodes[1]!];
    const owner = await sys.register();
    const [bea] = (await sys.contactsOf(owner.id, 1)) as [string];
    // bea comes and goes once, so she has a last seen
    (await connectAs(n1, bea)).client.close();
    await expect.poll(() => lastSeenInDb(sys, bea)).not.toBeNull();

    expect(await owner.client.privacy.get.query()).toEqual({ hideLastSeen: false });
    expect(await owner.client.privacy.set.mutate({ hideLastSeen: true })).toEqual({ hideLastSeen: true });
    expect(await owner.client.privacy.get.query()).toEqual({ hideLastSeen: true });

    const ownerOn0 = (await connectAs(n0, owner.id)).client;
    expect((await query(ownerOn0)).get(bea)).toEqual({ userId: bea, online: false, lastSeenAt: null });
    const beaOn1 = (await connectAs(n1, bea)).client;
    expect(await nextAbout(ownerOn0, bea)).toEqual({ userId: bea, online: true, lastSeenAt: null });
    // bea sees the owner online, but not the owner's last seen once gone
    expect((await query(beaOn1)).get(owner.id)).toEqual({ userId: owner.id, online: true, lastSeenAt: null });
    ownerOn0.close();
    expect(await nextAbout(beaOn1, owner.id, (c) => !c.online)).toEqual({ userId: owner.id, online: false, lastSeenAt: null });
    expect(await lastSeenInDb(sys, owner.id)).not.toBeNull(); // stored, never shown
    // and bea going offline shows the owner no last seen of hers either
    const ownerBack = (await connectAs(n0, owner.id)).client;
    beaOn1.close();
    expect(await nextAbout(ownerBack, bea, (c) => !c.online)).toEqual({ userId: bea, online: false, lastSeenAt: null });

    // shown again once the owner turns it off
    await owner.client.privacy.set.mutate({ hideLastSeen: false });
    const seen = (await query((await connectAs(n1, owner.id)).client)).get(bea)!;
    expect(seen.lastSeenAt).toBe((await lastSeenInDb(sys, bea))!.toISOString());
  });

  it("privacy.set refuses bad input with BAD_REQUEST and changes nothing", async () => {
    const owner = await sys.register();
    for (const bad of [{ hideLastSeen: "yes" }, {}, { hideLastSeen: true, extra: 1 }]) {
      await expect(owner.client.privacy.set.mutate(bad as never)).rejects.toMatchObject({ data: { appCode: ErrorCode.BadRequest } });
    }
    expect(await owner.client.privacy.get.query()).toEqual({ hideLastSeen: false });
  });

  it("presence.query is rate-limited per socket", async () => {
    const owner = await sys.register();
    const { client } = await connectAs(sys.nodes[0]!, owner.id);
    expect((await query(client)).size).toBe(0);
    client.send({ type: "presence.query" });
    expect((await client.next("error", (f) => f.ref === "presence.query")).code).toBe(ErrorCode.RateLimited);
  });

  it("coalesced: 150 contacts going offline at once reach a recipient on the other node in a few frames", async () => {
    const [n0, n1] = [sys.nodes[0]!, sys.nodes[1]!];
    const owner = await sys.register();
    const contacts = await sys.contactsOf(owner.id, 150);
    const ownerOn0 = (await connectAs(n0, owner.id)).client;
    const sockets = await Promise.all(contacts.map(async (c) => (await connectAs(n1, c)).client));
    const online = new Set<string>();
    while (online.size < contacts.length) {
      const f = await ownerOn0.next("presence", (p) => !p.full);
      for (const c of f.contacts) if (c.online) online.add(c.userId);
    }
    const framesBefore = ownerOn0.all("presence").length;
    for (const s of sockets) s.close();
    const offline = new Set<string>();
    while (offline.size < contacts.length) {
      const f = await ownerOn0.next("presence", (p) => !p.full);
      for (const c of f.contacts) if (!c.online && c.lastSeenAt !== null) offline.add(c.userId);
    }
    const frames = ownerOn0.all("presence").length - framesBefore;
    // one frame per window: the closes of 150 sockets fall into a few 150 ms windows, not 150 frames
    expect(frames).toBeLessThanOrEqual(5);
    expect([...offline].sort()).toEqual([...contacts].sort());
  });
});
