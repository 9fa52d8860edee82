/**
 * PushNotifier's bounds, against a real HTTP endpoint on loopback that holds requests until the
 * test releases them: enqueue returns at once, no more than DIM_PUSH_CONCURRENCY requests are in
 * flight, a full queue drops (and counts) the newest, a request past its deadline is retried a
 * bounded number of times and then given up. The store and presence are in-memory stand-ins of
 * their interfaces (the database path is covered by web-push.test.ts).
 */
import { createECDH, randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Message } from "@dim/shared";
import { createLogger, generateVapidKeys } from "@dim/shared/node";
import type { PushStore, PushTarget } from "@dim/db";
import { NodeMetrics } from "../src/node-metrics";
import { PushNotifier, type PushSenderConfig } from "../src/push/push-notifier";

let base = "";
let inFlight = 0;
let maxInFlight = 0;
let held: ServerResponse[] = [];
let hold = true;
const server = createServer((req: IncomingMessage, res: ServerResponse) => {
  req.resume();
  req.on("end", () => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.on("close", () => inFlight--);
    if (hold) held.push(res);
    else res.writeHead(201).end();
  });
});
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function target(userId: string): PushTarget {
  const ecdh = createECDH("prime256v1");
  ecdh.generateKeys();
  return {
    userId,
    dnd: false,
    preview: "name",
    mutedUntil: null,
    subscriptions: [{ id: randomUUID(), endpoint: `${base}/p/${userId}`, p256dh: ecdh.getPublicKey().toString("base64url"), auth: randomBytes(16).toString("base64url") }],
  };
}

function notifier(config: Partial<PushSenderConfig>) {
  const store: PushStore = {
    targetsOf: async (_c, ids) => ids.map(target),
    contextOf: async () => ({ kind: "direct", title: null, senderName: "Ann" }),
    removeSubscription: async () => undefined,
  };
  const metrics = new NodeMetrics();
  const push = new PushNotifier({
    store,
    presence: { routesOf: async () => [] },
    config: { vapid: { ...generateVapidKeys(), subject: "mailto:t@example.invalid" }, allowLoopback: true, concurrency: 2, timeoutMs: 5_000, retries: 0, retryBaseMs: 10, queueMax: 100, ttlSeconds: 60, ...config },
    logger: createLogger("test"),
    metrics,
  });
  return { push, metrics };
}

const sender = randomUUID();
function message(): Message {
  return { id: randomUUID(), conversationId: randomUUID(), seq: 1, senderId: sender, clientMsgId: `c-${randomUUID()}`, kind: "text", body: "hi", createdAt: new Date().toISOString() };
}

describe("PushNotifier", () => {
  it("keeps at most `concurrency` requests in flight and drops what overflows the queue", async () => {
    hold = true;
    maxInFlight = 0;
    const { push, metrics } = notifier({ concurrency: 2, queueMax: 3 });
    // 2 running (each holding one request), 3 queued, the 6th and 7th dropped.
    for (let i = 0; i < 7; i++) push.enqueue(message(), [sender, randomUUID()]);
    expect(metrics.pushes.dropped.value).toBe(2);
    await expect.poll(() => held.length, { timeout: 10_000 }).toBe(2);
    // Released one by one: each frees a slot for the next queued message, never more than 2 at once.
    for (let released = 1; released <= 5; released++) {
      await expect.poll(() => held.length, { timeout: 10_000 }).toBeGreaterThan(0);
      held.shift()!.writeHead(201).end();
      await expect.poll(() => metrics.pushes.sent.value, { timeout: 10_000 }).toBe(released);
    }
    await push.idle();
    expect(maxInFlight).toBe(2);
    expect(metrics.pushes.sent.value).toBe(5);
    held = [];
  });

  it("a request past its deadline is retried `retries` times, then given up", async () => {
    hold = true;
    const { push, metrics } = notifier({ timeoutMs: 200, retries: 2 });
    push.enqueue(message(), [randomUUID()]);
    await push.idle();
    expect(metrics.pushes.retried.value).toBe(2);
    expect(metrics.pushes.failed.value).toBe(1);
    expect(metrics.pushes.sent.value).toBe(0);
    for (const res of held) res.destroy();
    held = [];
  });

  it("sends nothing for the sender alone, for events and after stop()", async () => {
    hold = false;
    const { push, metrics } = notifier({});
    push.enqueue(message(), [sender]);
    push.enqueue({ ...message(), kind: "reaction", targetSeq: 1 } as Message, [randomUUID()]);
    push.stop();
    push.enqueue(message(), [randomUUID()]);
    await push.idle();
    expect(metrics.pushes.sent.value + metrics.pushes.dropped.value).toBe(0);
  });
});
