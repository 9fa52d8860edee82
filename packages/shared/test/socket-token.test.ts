import { createHmac, randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { isAppError } from "../src/errors";
import { issueSocketToken, verifySocketToken } from "../src/node/socket-token";

const SECRET = "s".repeat(40);
const NODE = "node-a";
const NOW = 1_700_000_000_000;

/** The schema the claims were checked with before the hand-written check; both must agree. */
const zodClaims = z.strictObject({
  v: z.literal(1),
  sub: z.uuid(),
  node: z.string().min(1).max(64),
  iat: z.number().int(),
  exp: z.number().int(),
  jti: z.string().min(1).max(64),
  sid: z.uuid(),
});

/** A token over any payload text, signed with `secret` (what only the gateway can do). */
function signed(payloadText: string, secret = SECRET): string {
  const payload = Buffer.from(payloadText).toString("base64url");
  return `${payload}.${createHmac("sha256", secret).update(payload).digest("base64url")}`;
}

function reason(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    if (!isAppError(err)) throw err;
    expect(err.code).toBe("UNAUTHORIZED");
    return err.message;
  }
}

const good = { v: 1, sub: randomUUID(), node: NODE, iat: NOW - 1000, exp: NOW + 60_000, jti: randomUUID(), sid: randomUUID() };

describe("verifySocketToken", () => {
  it("accepts an issued token and returns its claims", () => {
    const { token, claims } = issueSocketToken({ userId: good.sub, sessionId: good.sid, nodeId: NODE, ttlMs: 60_000, now: NOW }, SECRET);
    expect(verifySocketToken(token, { nodeId: NODE, now: NOW }, SECRET)).toEqual(claims);
  });

  it("checks claims exactly as the zod schema did", () => {
    const variants: unknown[] = [
      good,
      { ...good, v: 2 },
      { ...good, v: "1" },
      { ...good, sub: "not-a-uuid" },
      { ...good, sub: good.sub.toUpperCase() },
      { ...good, sub: "00000000-0000-0000-0000-000000000000" },
      { ...good, sub: "ffffffff-ffff-ffff-ffff-ffffffffffff" },
      { ...good, sub: "0f8fad5b-d9cb-969f-a165-70867728950e" }, // version 9
      { ...good, sub: "0f8fad5b-d9cb-469f-c165-70867728950e" }, // variant c
      { ...good, sub: ` ${good.sub}` },
      { ...good, sub: 42 },
      { ...good, jti: "" },
      { ...good, jti: "j".repeat(64) },
      { ...good, jti: "j".repeat(65) },
      { ...good, jti: 7 },
      { ...good, sid: "not-a-uuid" },
      { ...good, sid: 7 },
      (({ sid: _sid, ...rest }) => rest)(good),
      { ...good, node: "" },
      { ...good, node: "n".repeat(65) },
      { ...good, iat: 1.5 },
      { ...good, iat: "1" },
      { ...good, exp: Number.MAX_SAFE_INTEGER },
      { ...good, exp: 2 ** 53 },
      { ...good, exp: 1e308 },
      { ...good, exp: -5 },
      { ...good, extra: true },
      (({ jti: _jti, ...rest }) => rest)(good),
      (({ v: _v, ...rest }) => rest)(good),
      [good],
      null,
      "claims",
      12,
      true,
    ];
    for (const claims of variants) {
      const accepted = reason(() => verifySocketToken(signed(JSON.stringify(claims)), { nodeId: NODE, now: -Infinity }, SECRET)) === undefined;
      expect({ claims, accepted }).toEqual({ claims, accepted: zodClaims.safeParse(claims).success });
    }
    // Keys only JSON can spell: an own `__proto__` and a duplicate (the last one counts).
    const proto = JSON.stringify(good).replace("{", '{"__proto__":{"x":1},');
    expect(reason(() => verifySocketToken(signed(proto), { nodeId: NODE, now: -Infinity }, SECRET))).toBe("malformed token claims");
    expect(zodClaims.safeParse(JSON.parse(proto)).success).toBe(false);
    const dup = JSON.stringify(good).replace("{", '{"v":7,');
    expect(reason(() => verifySocketToken(signed(dup), { nodeId: NODE, now: -Infinity }, SECRET))).toBeUndefined();
  });

  it("rejects malformed tokens", () => {
    const token = signed(JSON.stringify(good));
    for (const bad of ["", ".", "abc", `${token}.`, `.${token}`, token.replace(".", ".."), `${token.split(".")[0]}.`]) {
      expect(reason(() => verifySocketToken(bad, { nodeId: NODE, now: NOW }, SECRET))).toBe("malformed token");
    }
    expect(reason(() => verifySocketToken(signed("{not json"), { nodeId: NODE, now: NOW }, SECRET))).toBe("malformed token");
  });

  it("rejects any signature but the exact one", () => {
    const token = signed(JSON.stringify(good));
    const [payload, signature] = token.split(".") as [string, string];
    const flipped = (s: string, i: number) => s.slice(0, i) + (s[i] === "A" ? "B" : "A") + s.slice(i + 1);
    const cases = [
      `${payload}.${flipped(signature, 0)}`,
      `${payload}.${signature.slice(0, -1)}`,
      `${payload}.${signature}A`,
      `${payload}.${signature}=`,
      `${payload}.${signature.replace(/-/g, "+").replace(/_/g, "/")}x`,
      `${flipped(payload, 3)}.${signature}`,
      signed(JSON.stringify(good), "another secret of enough length........"),
    ];
    for (const bad of cases) expect(reason(() => verifySocketToken(bad, { nodeId: NODE, now: NOW }, SECRET))).toBe("bad token signature");
  });

  it("rejects a non-canonical encoding of the right signature bytes", () => {
    const token = signed(JSON.stringify(good));
    const [payload, signature] = token.split(".") as [string, string];
    // The last of 43 characters carries 4 bits; its 2 low bits are padding that decoding ignores.
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const last = alphabet.indexOf(signature.at(-1)!);
    const twin = `${signature.slice(0, -1)}${alphabet[last ^ 1]}`;
    expect(Buffer.from(twin, "base64url").equals(Buffer.from(signature, "base64url"))).toBe(true);
    expect(reason(() => verifySocketToken(`${payload}.${twin}`, { nodeId: NODE, now: NOW }, SECRET))).toBe("bad token signature");
  });

  it("rejects expired tokens and tokens bound to another node", () => {
    const token = signed(JSON.stringify(good));
    expect(reason(() => verifySocketToken(token, { nodeId: NODE, now: good.exp }, SECRET))).toBe("token expired");
    expect(reason(() => verifySocketToken(token, { nodeId: NODE, now: good.exp - 1 }, SECRET))).toBeUndefined();
    expect(reason(() => verifySocketToken(token, { nodeId: "node-b", now: NOW }, SECRET))).toMatch(/bound to node 'node-a'/);
  });

  it("uses the secret it is given each time (no stale key)", () => {
    const other = "o".repeat(40);
    const a = signed(JSON.stringify(good));
    const b = signed(JSON.stringify(good), other);
    expect(reason(() => verifySocketToken(a, { nodeId: NODE, now: NOW }, SECRET))).toBeUndefined();
    expect(reason(() => verifySocketToken(b, { nodeId: NODE, now: NOW }, SECRET))).toBe("bad token signature");
    expect(reason(() => verifySocketToken(b, { nodeId: NODE, now: NOW }, other))).toBeUndefined();
    expect(reason(() => verifySocketToken(a, { nodeId: NODE, now: NOW }, other))).toBe("bad token signature");
    expect(reason(() => verifySocketToken(a, { nodeId: NODE, now: NOW }, SECRET))).toBeUndefined();
  });
});
