import { createECDH, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { isMuted, MUTE_FOREVER, mutedUntilOf, notifies, pushSubscriptionInput } from "../src/notifications";
import { embeddedVapidKeys, generateVapidKeys, pushConfigSchema, resolvePushConfig } from "../src/node/push-config";
import { pushAddressAllowed, pushEndpointProblem } from "../src/node/push-endpoint";

const ann = "00000000-0000-4000-8000-00000000000a";
const bob = "00000000-0000-4000-8000-00000000000b";

function subscription() {
  const ecdh = createECDH("prime256v1");
  ecdh.generateKeys();
  return { endpoint: "https://push.example.com/x", keys: { p256dh: ecdh.getPublicKey().toString("base64url"), auth: randomBytes(16).toString("base64url") } };
}

describe("notifies", () => {
  const text = { senderId: ann, kind: "text" };
  const now = Date.parse("2026-03-01T12:00:00Z");
  const bobWith = (o: { dnd?: boolean; mutedUntil?: string | null }) => ({ userId: bob, dnd: o.dnd ?? false, mutedUntil: o.mutedUntil ?? null });

  it("notifies others of new content only", () => {
    expect(notifies(text, bobWith({}), now)).toBe(true);
    expect(notifies({ ...text, kind: "image" }, bobWith({}), now)).toBe(true);
    expect(notifies(text, { ...bobWith({}), userId: ann }, now)).toBe(false);
    for (const kind of ["system", "edit", "delete", "reaction"]) expect(notifies({ ...text, kind }, bobWith({}), now)).toBe(false);
  });

  it("mutes silence until they run out; mentions still notify in a muted conversation; do not disturb silences everything", () => {
    const hour = mutedUntilOf("1h", now)!;
    expect(hour).toBe("2026-03-01T13:00:00.000Z");
    expect(notifies(text, bobWith({ mutedUntil: hour }), now)).toBe(false);
    expect(notifies(text, bobWith({ mutedUntil: hour }), now + 3600_001)).toBe(true);
    expect(notifies(text, bobWith({ mutedUntil: MUTE_FOREVER }), now)).toBe(false);
    expect(notifies({ ...text, mentions: [bob] }, bobWith({ mutedUntil: MUTE_FOREVER }), now)).toBe(true);
    expect(notifies({ ...text, mentions: [ann] }, bobWith({ mutedUntil: MUTE_FOREVER }), now)).toBe(false);
    expect(notifies({ ...text, mentions: [bob] }, bobWith({ dnd: true }), now)).toBe(false);
  });

  it("durations", () => {
    expect(mutedUntilOf("8h", now)).toBe("2026-03-01T20:00:00.000Z");
    expect(mutedUntilOf("1w", now)).toBe("2026-03-08T12:00:00.000Z");
    expect(mutedUntilOf("forever", now)).toBe(MUTE_FOREVER);
    expect(mutedUntilOf("off", now)).toBeNull();
    expect(isMuted(null, now)).toBe(false);
    expect(isMuted(new Date(now - 1), now)).toBe(false);
  });
});

describe("pushSubscriptionInput", () => {
  it("accepts a browser's subscription and refuses keys of the wrong size or alphabet", () => {
    const good = subscription();
    expect(pushSubscriptionInput.safeParse(good).success).toBe(true);
    expect(pushSubscriptionInput.safeParse({ ...good, expirationTime: null }).success).toBe(true);
    const bad = [
      { ...good, keys: { ...good.keys, p256dh: `${good.keys.p256dh}=` } },
      { ...good, keys: { ...good.keys, p256dh: good.keys.p256dh.replace(/.$/, "B") } }, // leftover bits set
      { ...good, keys: { ...good.keys, p256dh: `A${good.keys.p256dh.slice(1)}` } }, // not 0x04
      { ...good, keys: { ...good.keys, auth: good.keys.auth.slice(0, 21) } },
      { ...good, keys: { ...good.keys, auth: `${good.keys.auth.slice(0, 21)}+` } },
      { ...good, endpoint: `https://x.example/${"a".repeat(2048)}` },
      { ...good, extra: 1 },
    ];
    for (const b of bad) expect(pushSubscriptionInput.safeParse(b).success, JSON.stringify(b)).toBe(false);
  });
});

describe("push endpoints", () => {
  it("accepts https on public hosts only, unless loopback is allowed (and then loopback only)", () => {
    expect(pushEndpointProblem("https://fcm.googleapis.com/fcm/send/abc", false)).toBeUndefined();
    expect(pushEndpointProblem("https://8.8.8.8/x", false)).toBeUndefined();
    for (const url of [
      "http://fcm.googleapis.com/x",
      "https://localhost/x",
      "https://127.0.0.1/x",
      "https://[::1]/x",
      "https://10.1.2.3/x",
      "https://192.168.0.1/x",
      "https://172.20.0.1/x",
      "https://169.254.169.254/x",
      "https://100.64.0.1/x",
      "https://[fd00::1]/x",
      "https://[::ffff:127.0.0.1]/x",
      "https://intranet/x",
      "https://user:pw@push.example.com/x",
      "not a url",
    ]) {
      expect(pushEndpointProblem(url, false), url).toBeDefined();
    }
    expect(pushEndpointProblem("http://127.0.0.1:9999/x", true)).toBeUndefined();
    expect(pushEndpointProblem("https://localhost/x", true)).toBeUndefined();
    expect(pushEndpointProblem("http://10.1.2.3/x", true)).toBeDefined();
    expect(pushEndpointProblem("https://10.1.2.3/x", true)).toBeDefined();
    expect(pushAddressAllowed("93.184.216.34", false)).toBe(true);
    expect(pushAddressAllowed("127.0.0.1", false)).toBe(false);
    expect(pushAddressAllowed("127.0.0.1", true)).toBe(true);
    expect(pushAddressAllowed("192.168.1.1", true)).toBe(false);
    expect(pushAddressAllowed("2606:4700::1111", false)).toBe(true);
    expect(pushAddressAllowed("fe80::1", true)).toBe(false);
  });
});

describe("push configuration", () => {
  const pair = generateVapidKeys();
  it("cluster mode requires the keys and the subject, a matching pair, both or neither", () => {
    expect(pushConfigSchema.safeParse({ DIM_MODE: "cluster" }).success).toBe(false);
    const ok = { DIM_MODE: "cluster", DIM_VAPID_PUBLIC_KEY: pair.publicKey, DIM_VAPID_PRIVATE_KEY: pair.privateKey, DIM_VAPID_SUBJECT: "mailto:ops@example.com" };
    expect(resolvePushConfig(pushConfigSchema.parse(ok))).toEqual({ vapid: { ...pair, subject: "mailto:ops@example.com" }, allowLoopback: false });
    expect(pushConfigSchema.safeParse({ ...ok, DIM_VAPID_PUBLIC_KEY: generateVapidKeys().publicKey }).success).toBe(false);
    expect(pushConfigSchema.safeParse({ ...ok, DIM_VAPID_SUBJECT: "ops@example.com" }).success).toBe(false);
    expect(pushConfigSchema.safeParse({ ...ok, DIM_VAPID_PRIVATE_KEY: "short" }).success).toBe(false);
    expect(pushConfigSchema.safeParse({ DIM_VAPID_PUBLIC_KEY: pair.publicKey }).success).toBe(false);
    expect(pushConfigSchema.safeParse({ ...ok, DIM_PUSH_ALLOW_LOOPBACK: "yes" }).success).toBe(false);
  });
  it("the embedded default makes one pair under the data directory and keeps it", () => {
    const first = resolvePushConfig(pushConfigSchema.parse({}));
    expect(first.vapid).toMatchObject(embeddedVapidKeys());
    expect(resolvePushConfig(pushConfigSchema.parse({})).vapid.publicKey).toBe(first.vapid.publicKey);
  });
});
