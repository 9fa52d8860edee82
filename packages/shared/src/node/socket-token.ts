/**
 * Socket tokens: the gateway signs, a core node verifies. HMAC-SHA256 over a small JSON claim
 * set, bound to one node and short-lived. Format: base64url(claims) "." base64url(signature).
 */
import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { AppError, ErrorCode } from "../errors";

const claimsSchema = z.strictObject({
  v: z.literal(1),
  /** user id */
  sub: z.uuid(),
  /** the node the token is valid on */
  node: z.string().min(1).max(64),
  iat: z.number().int(),
  exp: z.number().int(),
  jti: z.string().min(1).max(64),
});
export type SocketTokenClaims = z.infer<typeof claimsSchema>;

function sign(payload: string, secret: string): string {
  return createHmac("sha256", secret).update(payload).digest("base64url");
}

export function issueSocketToken(
  input: { userId: string; nodeId: string; ttlMs: number; now?: number },
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
  const [payload, signature, extra] = token.split(".");
  if (!payload || !signature || extra !== undefined) throw new AppError(ErrorCode.Unauthorized, "malformed token");
  const good = Buffer.from(sign(payload, secret));
  const given = Buffer.from(signature);
  if (good.length !== given.length || !timingSafeEqual(good, given)) {
    throw new AppError(ErrorCode.Unauthorized, "bad token signature");
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    throw new AppError(ErrorCode.Unauthorized, "malformed token");
  }
  const parsed = claimsSchema.safeParse(json);
  if (!parsed.success) throw new AppError(ErrorCode.Unauthorized, "malformed token claims");
  const claims = parsed.data;
  if (claims.exp <= (expected.now ?? Date.now())) throw new AppError(ErrorCode.Unauthorized, "token expired");
  if (claims.node !== expected.nodeId) {
    throw new AppError(ErrorCode.Unauthorized, `token is bound to node '${claims.node}', not this one`);
  }
  return claims;
}
