/**
 * Web Push end to end on loopback: the real gateway stores subscriptions (notifications.*), two
 * real core nodes send pushes, and a stand-in push service on 127.0.0.1 DECRYPTS every push with
 * the subscription's own private key and auth secret. Pushes go only to members with no socket
 * on any node, never to the sender, carry no text unless the user chose previews, respect mutes
 * and do not disturb; 404 / 410 remove the subscription; sign-out removes it too.
 */
import { describe, expect, it } from "vitest";
import { generateVapidKeys } from "@dim/shared/node";
import { clientMsgId, connectAs } from "./helpers/cluster";
import { useGroupSystem, type GatewayClient } from "./helpers/group-system";
import { useFakePushService, type FakeSubscription } from "./helpers/push-service";
import type { TestClient } from "./helpers/test-client";
import type { PushSenderConfig } from "../src/push/push-notifier";

const vapid = { ...generateVapidKeys(), subject: "mailto:test@example.invalid" };
const push: PushSenderConfig = { vapid, allowLoopback: true, concurrency: 4, timeoutMs: 5_000, retries: 2, retryBaseMs: 10, queueMax: 100, ttlSeconds: 60 };
const sys = useGroupSystem({ nodes: 2, push });
const service = useFakePushService();

async function pair() {
  const ann = await sys.register();
  const bob = await sys.register();
  const request = await ann.client.contacts.request.mutate({ username: bob.username });
  const { contact } = await bob.client.contacts.accept.mutate({ requestId: request.id });
  return { ann, bob, conversationId: contact.conversationId };
}

async function subscribe(client: GatewayClient): Promise<FakeSubscription> {
  const sub = service.subscribe();
  await client.notifications.subscribe.mutate(sub.input);
  return sub;
}

/** Sends a text from `socket` and waits until the storing node finished every push it queued. */
async function sendText(socket: TestClient, conversationId: string, body: string, nodeIndex = 0): Promise<void> {
  const id = clientMsgId();
  socket.send({ type: "send", kind: "text", conversationId, clientMsgId: id, body });
  await socket.next("sent", (f) => f.clientMsgId === id);
  await sys.nodes[nodeIndex]!.node.push!.idle();
}

const subscriptionCount = (userId: string) => sys.prisma.pushSubscription.count({ where: { userId } });

describe("Web Push", () => {
  it("pushes an encrypted payload (sender name, no text by default) to a member with no socket; previews follow the setting", async () => {
    const { ann, bob, conversationId } = await pair();
    const bobSub = await subscribe(bob.client);
    const annOn0 = (await connectAs(sys.nodes[0]!, ann.id)).client;

    await sendText(annOn0, conversationId, "the secret plan");
    const [first] = await service.waitFor(bobSub, 1);
    const annName = (await ann.client.auth.me.query()).displayName;
    expect(first!.payload).toEqual({ v: 1, type: "message", conversationId, seq: expect.any(Number), sender: annName, conversation: null, text: null });
    expect(first!.headers["content-encoding"]).toBe("aes128gcm");
    expect(first!.headers.ttl).toBe("60");
    expect(String(first!.headers.authorization)).toMatch(new RegExp(`^vapid t=[\\w-]+\\.[\\w-]+\\.[\\w-]+, k=${vapid.publicKey}$`));

    expect(await bob.client.notifications.update.mutate({ preview: "text" })).toEqual({ preview: "text", dnd: false });
    await sendText(annOn0, conversationId, "now with text");
    expect((await service.waitFor(bobSub, 2))[1]!.payload).toMatchObject({ sender: annName, text: "now with text" });

    await bob.client.notifications.update.mutate({ preview: "none" });
    await sendText(annOn0, conversationId, "nothing shown");
    expect((await service.waitFor(bobSub, 3))[2]!.payload).toMatchObject({ sender: null, conversation: null, text: null });
    annOn0.close();
  });

  it("no push while the recipient has a socket on another node, and none to the sender's own devices", async () => {
    const { ann, bob, conversationId } = await pair();
    const bobSub = await subscribe(bob.client);
    const annLaptop = await sys.login(ann.username);
    const annSub = await subscribe(annLaptop);
    const annOn0 = (await connectAs(sys.nodes[0]!, ann.id)).client;
    const bobOn1 = (await connectAs(sys.nodes[1]!, bob.id)).client;

    await sendText(annOn0, conversationId, "you are online");
    await bobOn1.next("message", (f) => f.message.body === "you are online");
    expect(bobSub.requests).toBe(0);

    // Bob's socket closes: the next message pushes (presence says he is gone from every node).
    bobOn1.close();
    await expect.poll(async () => (await sys.nodes[0]!.node["presence"].routesOf([bob.id])).length, { timeout: 10_000 }).toBe(0);
    await sendText(annOn0, conversationId, "you are offline");
    await service.waitFor(bobSub, 1);
    expect(annSub.requests).toBe(0);
    annOn0.close();
  });

  it("a muted conversation and do not disturb push nothing; unmuting pushes again; the mute reaches the user's other device live", async () => {
    const { ann, bob, conversationId } = await pair();
    const bobSub = await subscribe(bob.client);
    const annOn0 = (await connectAs(sys.nodes[0]!, ann.id)).client;
    const bobLaptop = await sys.login(bob.username);

    const muted = await bob.client.notifications.mute.mutate({ conversationId, duration: "8h" });
    expect(muted.type).toBe("mute");
    expect(new Date(muted.mutedUntil!).getTime()).toBeGreaterThan(Date.now() + 7 * 3600_000);
    const listed = (await bobLaptop.conversations.list.query()).find((c) => c.id === conversationId);
    expect(listed?.mutedUntil).toBe(muted.mutedUntil);
    await sendText(annOn0, conversationId, "muted");
    expect(bobSub.requests).toBe(0);

    await bob.client.notifications.mute.mutate({ conversationId, duration: "off" });
    await bob.client.notifications.update.mutate({ dnd: true });
    await sendText(annOn0, conversationId, "do not disturb");
    expect(bobSub.requests).toBe(0);

    await bob.client.notifications.update.mutate({ dnd: false });
    await sendText(annOn0, conversationId, "back");
    await service.waitFor(bobSub, 1);

    // Bob's other device, on the other node, hears his mute and settings change as frames.
    const bobOn1 = (await connectAs(sys.nodes[1]!, bob.id)).client;
    await bobLaptop.notifications.mute.mutate({ conversationId, duration: "forever" });
    expect(await bobOn1.next("mute")).toEqual({ type: "mute", conversationId, mutedUntil: "9999-12-31T23:59:59.999Z" });
    await bobLaptop.notifications.update.mutate({ preview: "text" });
    expect(await bobOn1.next("notify.settings")).toEqual({ type: "notify.settings", settings: { preview: "text", dnd: false } });
    bobOn1.close();
    annOn0.close();
  });

  it("a group message pushes the group's title and the sender to each member away, not to one who muted the group", async () => {
    const { ann, bob } = await pair();
    const cy = await sys.register();
    const request = await ann.client.contacts.request.mutate({ username: cy.username });
    await cy.client.contacts.accept.mutate({ requestId: request.id });
    const { conversation } = await ann.client.groups.create.mutate({ title: "Trip to Porto", memberIds: [bob.id, cy.id] });
    const bobSub = await subscribe(bob.client);
    const cySub = await subscribe(cy.client);
    await cy.client.notifications.mute.mutate({ conversationId: conversation.id, duration: "1w" });
    const annOn1 = (await connectAs(sys.nodes[1]!, ann.id)).client;
    await sendText(annOn1, conversation.id, "tickets booked", 1);
    const [push] = await service.waitFor(bobSub, 1);
    expect(push!.payload).toMatchObject({ conversationId: conversation.id, conversation: "Trip to Porto", sender: (await ann.client.auth.me.query()).displayName, text: null });
    expect(cySub.requests).toBe(0);
    annOn1.close();
  });

  it("404 and 410 from the push service remove the subscription; 503 is retried", async () => {
    const { ann, bob, conversationId } = await pair();
    const annOn0 = (await connectAs(sys.nodes[0]!, ann.id)).client;
    for (const status of [404, 410]) {
      const sub = await subscribe(bob.client);
      sub.answer.push(status);
      expect(await subscriptionCount(bob.id)).toBe(1);
      await sendText(annOn0, conversationId, `gone ${status}`);
      expect(sub.requests).toBe(1);
      expect(await subscriptionCount(bob.id)).toBe(0);
    }
    const sub = await subscribe(bob.client);
    sub.answer.push(503, 503);
    await sendText(annOn0, conversationId, "flaky service");
    await service.waitFor(sub, 1);
    expect(sub.requests).toBe(3);
    expect(await subscriptionCount(bob.id)).toBe(1);
    annOn0.close();
  });

  it("signing the session out removes its subscription; another session's stays; re-registering an endpoint moves it", async () => {
    const bob = await sys.register();
    const phone = await sys.login(bob.username);
    await subscribe(bob.client);
    const phoneSub = await subscribe(phone);
    expect(await subscriptionCount(bob.id)).toBe(2);
    const phoneSession = (await phone.account.sessions.query()).find((s) => s.current)!;
    await bob.client.account.signOutSession.mutate({ sessionId: phoneSession.id });
    expect(await subscriptionCount(bob.id)).toBe(1);

    // The same browser endpoint, registered again by a new sign-in (another account): it moves.
    const eve = await sys.register();
    await bob.client.notifications.subscribe.mutate(phoneSub.input);
    await eve.client.notifications.subscribe.mutate(phoneSub.input);
    expect(await sys.prisma.pushSubscription.count({ where: { endpoint: phoneSub.input.endpoint } })).toBe(1);
    expect((await sys.prisma.pushSubscription.findUnique({ where: { endpoint: phoneSub.input.endpoint } }))?.userId).toBe(eve.id);

    await bob.client.notifications.unsubscribe.mutate();
    expect(await subscriptionCount(bob.id)).toBe(0);
  });

  it("account deletion removes the user's subscriptions", async () => {
    const bob = await sys.register();
    await subscribe(bob.client);
    expect(await subscriptionCount(bob.id)).toBe(1);
    await bob.client.account.delete.mutate({ password: "password-1234" });
    expect(await subscriptionCount(bob.id)).toBe(0);
  });

  it("malformed subscriptions, a private endpoint and another user's conversation get typed errors and store nothing", async () => {
    const { ann, conversationId } = await pair();
    const eve = await sys.register();
    const good = service.subscribe().input;
    const bad: unknown[] = [
      { ...good, endpoint: "ftp://127.0.0.1/push" },
      { ...good, endpoint: "https://10.0.0.8/push" },
      { ...good, endpoint: "https://169.254.169.254/latest/meta-data" },
      { ...good, endpoint: "not a url" },
      { ...good, endpoint: `https://user:pw@push.example.com/x` },
      { ...good, keys: { ...good.keys, p256dh: good.keys.p256dh.slice(1) } },
      { ...good, keys: { ...good.keys, p256dh: `C${good.keys.p256dh.slice(1)}` } },
      { ...good, keys: { ...good.keys, p256dh: `B${"A".repeat(86)}` } }, // right length, not a point on the curve
      { ...good, keys: { ...good.keys, auth: `${good.keys.auth}A` } },
      { ...good, keys: { ...good.keys, auth: good.keys.auth.replace(/.$/, "B") } }, // 22 chars that decode to more than 16 bytes' worth
      { ...good, keys: { p256dh: good.keys.p256dh } },
      { ...good, extra: true },
    ];
    for (const input of bad) {
      await expect(ann.client.notifications.subscribe.mutate(input as typeof good)).rejects.toMatchObject({ data: { appCode: "BAD_REQUEST" } });
    }
    expect(await subscriptionCount(ann.id)).toBe(0);
    await expect(eve.client.notifications.mute.mutate({ conversationId, duration: "1h" })).rejects.toMatchObject({ data: { appCode: "NOT_FOUND" } });
    await expect(ann.client.notifications.mute.mutate({ conversationId, duration: "2h" as "1h" })).rejects.toMatchObject({ data: { appCode: "BAD_REQUEST" } });
    await expect(ann.client.notifications.update.mutate({})).rejects.toMatchObject({ data: { appCode: "BAD_REQUEST" } });
    expect((await ann.client.notifications.settings.query())).toEqual({ preview: "name", dnd: false });
    expect((await ann.client.notifications.vapidKey.query()).publicKey).toBe(vapid.publicKey);
  });
});
