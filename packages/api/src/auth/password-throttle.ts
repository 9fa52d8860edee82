/**
 * The throttle in front of every password check (auth.login, account.changePassword,
 * account.delete): the same buckets per username and per client IP, shared by every gateway. Both
 * are checked first and neither is taken when one is empty; a check passed but a take refused
 * (another gateway took the last token between the two) refuses too — the other bucket's token
 * stays spent (docs/protocol.md §3.5).
 */
import type { Context } from "../context";
import { rateLimited } from "./rate-limiter";

export async function takePasswordTurn(ctx: Pick<Context, "limiters" | "clientIp">, username: string, what: string): Promise<void> {
  const { loginByUsername, loginByIp } = ctx.limiters;
  const ip = ctx.clientIp;
  const [byName, byIp] = await Promise.all([loginByUsername.check(username), ip ? loginByIp.check(ip) : 0]);
  const wait = Math.max(byName, byIp);
  if (wait > 0) throw rateLimited(wait, what);
  const [nameTurn, ipTurn] = await Promise.all([loginByUsername.take(username), ip ? loginByIp.take(ip) : ({ ok: true } as const)]);
  if (!nameTurn.ok || !ipTurn.ok) {
    throw rateLimited(Math.max(nameTurn.ok ? 0 : nameTurn.retryAfterMs, ipTurn.ok ? 0 : ipTurn.retryAfterMs), what);
  }
}
