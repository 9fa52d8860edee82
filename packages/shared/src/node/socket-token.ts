/**
 * Socket tokens: the gateway signs, a core node verifies. HMAC-SHA256 over a small JSON claim
 * set, bound to one node and short-lived. Format: base64url(claims) "." base64url(signature).
 */
import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import { regexes } from "zod/v4/core";
import { AppError, ErrorCode } from "../errors";

/**
 * The claims, checked by hand on every connect (the zod schema was ≈ 1.5 % of a connect's node CPU): exactly
 * these keys, as `z.strictObject({ v: z.literal(1), sub: z.uuid(), node: z.string().min(1).max(64),
 * iat: z.number().int(), exp: z.number().int(), jti: z.string().min(1).max(64), sid: z.uuid() })` would accept
 * (test/socket-token.test.ts holds the two to the same answers).
 */
export interface SocketTokenClaims {
  v: 1;
  /** user id */
  sub: string;
  /** the node the token is valid on */
  node: string;
  iat: number;
  exp: number;
  /** single-use: a node refuses a second `auth` with the same jti */
  jti: string;
  /** the gateway session the token was issued to: a node refuses the token once it ended (logout) */
  sid: string;
}

const CLAIM_KEYS = ["v", "sub", "node", "iat", "exp", "jti", "sid"] as const;
/** zod's `z.uuid()` pattern (RFC 9562 versions 1–8, nil and max). */
const UUID = regexes.uuid();
/** Bytes of an HMAC-SHA256; its base64url (no padding) is 43 characters. */
const SIGNATURE_BYTES = 32;

function isBoundedString(value: unknown): value is string {
  return typeof value === "string" && value.length >= 1 && value.length <= 64;
}

/** The claims when `json` is a valid claim set, else undefined. */
function checkClaims(json: unknown): SocketTokenClaims | undefined {
  if (typeof json !== "object" || json === null || Array.isArray(json)) return undefined;
  const c = json as Record<string, unknown>;
  let keys = 0;
  for (const k in c) {
    if (!Object.hasOwn(c, k)) continue;
    if (!(CLAIM_KEYS as readonly string[]).includes(k)) return undefined;
    keys++;
  }
  if (keys !== CLAIM_KEYS.length) return undefined;
  const { v, sub, node, iat, exp, jti, sid } = c;
  if (v !== 1) return undefined;
  if (typeof sub !== "string" || !UUID.test(sub)) return undefined;
  if (typeof sid !== "string" || !UUID.test(sid)) return undefined;
  if (!isBoundedString(node) || !isBoundedString(jti)) return undefined;
  if (!Number.isSafeInteger(iat) || !Number.isSafeInteger(exp)) return undefined;
  return { v, sub, node, iat: iat as number, exp: exp as number, jti, sid };
}

function hmac(payload: string, secret: string) {
  return createHmac("sha256", secret).update(payload);
}

function sign(payload: string, secret: string): string {
  return hmac(payload, secret).digest("base64url");
}

export function issueSocketToken(
  input: { userId: string; sessionId: string; nodeId: string; ttlMs: number; now?: number },
  secret: string,
): { token: string; claims: SocketTokenClaims } {
  const now = input.now ?? Date.now();
  const claims: SocketTokenClaims = {
    v: 1,
    sub: input.userId,
    node: input.nodeId,
    iat: now,
    exp: now + input.ttlMs,
    jti: randomUUID(),
    sid: input.sessionId,
  };
  const payload = Buffer.from(JSON.stringify(claims)).toString("base64url");
  return { token: `${payload}.${sign(payload, secret)}`, claims };
}

/** Throws AppError(UNAUTHORIZED) with a reason when the token is not valid for this node now. */
export function verifySocketToken(
  token: string,
  expected: { nodeId: string; now?: number },
  secret: string,
): SocketTokenClaims {
  const dot = token.indexOf(".");
  const payload = dot === -1 ? "" : token.slice(0, dot);
  const signature = dot === -1 ? "" : token.slice(dot + 1);
  if (!payload || !signature || signature.includes(".")) throw new AppError(ErrorCode.Unauthorized, "malformed token");
  // Only the one canonical encoding of the right 32 bytes is accepted (as comparing the strings would).
  const given = Buffer.from(signature, "base64url");
  if (given.length !== SIGNATURE_BYTES || given.toString("base64url") !== signature) {
    throw new AppError(ErrorCode.Unauthorized, "bad token signature");
  }
  if (!timingSafeEqual(hmac(payload, secret).digest(), given)) throw new AppError(ErrorCode.Unauthorized, "bad token signature");
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    throw new AppError(ErrorCode.Unauthorized, "malformed token");
  }
  const claims = checkClaims(json);
  if (!claims) throw new AppError(ErrorCode.Unauthorized, "malformed token claims");
  if (claims.exp <= (expected.now ?? Date.now())) throw new AppError(ErrorCode.Unauthorized, "token expired");
  if (claims.node !== expected.nodeId) {
    throw new AppError(ErrorCode.Unauthorized, `token is bound to node '${claims.node}', not this one`);
  }
  return claims;
}
