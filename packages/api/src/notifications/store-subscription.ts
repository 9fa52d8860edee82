/**
 * notifications.subscribe: checks what the schema cannot (the endpoint is an https URL on a
 * public host — no SSRF through our core nodes — and p256dh is a point on P-256), then stores the
 * subscription for the calling session. One browser's endpoint belongs to the session that
 * registered it last (a new sign-in on that browser takes it over); a session that registers a
 * new endpoint (the browser rotated it) drops its old one.
 */
import { ECDH, randomUUID } from "node:crypto";
import { AppError, ErrorCode, type PushSubscriptionInput } from "@dim/shared";
import { pushEndpointProblem } from "@dim/shared/node";
import type { Context } from "../context";

function validPoint(p256dh: string): boolean {
  try {
    ECDH.convertKey(Buffer.from(p256dh, "base64url"), "prime256v1");
    return true;
  } catch {
    return false;
  }
}

export async function storeSubscription(ctx: Context, session: { sessionId: string; user: { id: string } }, input: PushSubscriptionInput): Promise<void> {
  const push = ctx.config.push;
  if (!push) throw new AppError(ErrorCode.NotFound, "Web Push is not configured on this server");
  const problem = pushEndpointProblem(input.endpoint, push.allowLoopback);
  if (problem) throw new AppError(ErrorCode.BadRequest, problem, { field: "endpoint" });
  if (!validPoint(input.keys.p256dh)) throw new AppError(ErrorCode.BadRequest, "keys.p256dh is not a point on P-256", { field: "keys.p256dh" });
  const { sessionId } = session;
  const userId = session.user.id;
  await ctx.prisma.$transaction(async (tx) => {
    await tx.$executeRaw`DELETE FROM push_subscriptions WHERE session_id = ${sessionId}::uuid AND endpoint <> ${input.endpoint}`;
    await tx.$executeRaw`
      INSERT INTO push_subscriptions (id, session_id, user_id, endpoint, p256dh, auth)
      VALUES (${randomUUID()}::uuid, ${sessionId}::uuid, ${userId}::uuid, ${input.endpoint}, ${input.keys.p256dh}, ${input.keys.auth})
      ON CONFLICT (endpoint) DO UPDATE SET session_id = EXCLUDED.session_id, user_id = EXCLUDED.user_id,
        p256dh = EXCLUDED.p256dh, auth = EXCLUDED.auth, created_at = now()`;
  });
  ctx.log.info({ sessionId }, "push subscription stored");
}
