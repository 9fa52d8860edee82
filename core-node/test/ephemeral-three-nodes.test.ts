/**
 * Typing and presence over three real nodes and the real gateway (embedded infra): a group with
 * members on every node, one removed in the middle; contacts on two other nodes coming and going.
 */
import { describe, expect, it } from "vitest";
import type { ContactPresence } from "@dim/shared";
import { connectAs } from "./helpers/cluster";
import { useGroupSystem } from "./helpers/group-system";
import type { TestClient } from "./helpers/test-client";

const typingsIn = (client: TestClient, conversationId: string) => client.all("typing").filter((f) => f.conversationId === conversationId);

async function offlineEntry(client: TestClient, userId: string): Promise<ContactPresence> {
  const frame = await client.next("presence", (f) => !f.full && f.contacts.some((c) => c.userId === userId && !c.online));
  return frame.contacts.find((c) => c.userId === userId)!;
}

describe("typing and presence over three nodes", () => {
  const sys = useGroupSystem({ nodes: 3, config: { presenceCoalesceMs: 100 } });

  it("group typing reaches members on both other nodes; a member removed on the third node gets no more", async () => {
    const [n0, n1, n2] = [sys.nodes[0]!, sys.nodes[1]!, sys.nodes[2]!];
    const owner = await sys.register();
    const [ann, ben, dee] = (await sys.contactsOf(owner.id, 3)) as [string, string, string];
    const { conversation } = await owner.client.groups.create.mutate({ title: "three", memberIds: [ann, ben, dee] });
    const g = conversation.id;
    const ownerOn0 = (await connectAs(n0, owner.id)).client;
    const annOn1 = (await connectAs(n1, ann)).client;
    const benOn2 = (await connectAs(n2, ben)).client;
    const deeOn2 = (await connectAs(n2, dee)).client;

    ownerOn0.send({ type: "typing", conversationId: g });
    for (const c of [annOn1, benOn2, deeOn2]) expect((await c.next("typing", (f) => f.conversationId === g)).userId).toBe(owner.id);

    await owner.client.groups.removeMember.mutate({ conversationId: g, userId: ben });
    await benOn2.next("conversation", (f) => f.conversationId === g && f.event === "removed");
    annOn1.send({ type: "typing", conversationId: g });
    expect((await ownerOn0.next("typing", (f) => f.conversationId === g)).userId).toBe(ann);
    await deeOn2.next("typing", (f) => f.conversationId === g && f.userId === ann); // ben's node got the relay
    await benOn2.roundTrip();
    expect(typingsIn(benOn2, g).map((f) => f.userId)).toEqual([owner.id]);
  });

  it("contacts on two other nodes: online, then offline with last seen (hidden for the one who hides it)", async () => {
    const [n0, n1, n2] = [sys.nodes[0]!, sys.nodes[1]!, sys.nodes[2]!];
    const owner = await sys.register();
    const eve = await sys.register();
    const [fay] = (await sys.contactsOf(owner.id, 1)) as [string];
    // eve becomes a contact through the gateway, then hides her last seen
    const request = await owner.client.contacts.request.mutate({ username: eve.username });
    await eve.client.contacts.accept.mutate({ requestId: request.id });
    await eve.client.privacy.set.mutate({ hideLastSeen: true });

    const ownerOn0 = (await connectAs(n0, owner.id)).client;
    const eveOn1 = (await connectAs(n1, eve.id)).client;
    const fayOn2 = (await connectAs(n2, fay)).client;
    for (const id of [eve.id, fay]) await ownerOn0.next("presence", (f) => f.contacts.some((c) => c.userId === id && c.online));
    eveOn1.close();
    fayOn2.close();
    expect(await offlineEntry(ownerOn0, eve.id)).toEqual({ userId: eve.id, online: false, lastSeenAt: null });
    const fayOffline = await offlineEntry(ownerOn0, fay);
    expect(fayOffline.lastSeenAt).not.toBeNull();
  });
});
