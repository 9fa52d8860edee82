/**
 * The password check of account.changePassword and account.delete: throttled exactly as login
 * (the same buckets, per username and per client IP), so a stolen session cannot be used to guess
 * the password faster than the sign-in form allows. Wrong → INVALID_CREDENTIALS.
 */
import { AppError, ErrorCode } from "@dim/shared";
import { verifyPassword } from "../auth/password";
import { takePasswordTurn } from "../auth/password-throttle";
import type { Context } from "../context";

export async function verifyOwnPassword(ctx: Context, user: { id: string; username: string }, password: string): Promise<void> {
  await takePasswordTurn(ctx, user.username, "password attempts");
  const row = await ctx.prisma.user.findUnique({ where: { id: user.id }, select: { passwordHash: true } });
  if (!row || !(await verifyPassword(row.passwordHash, password))) {
    ctx.log.info({ userId: user.id }, "password check failed");
    throw new AppError(ErrorCode.InvalidCredentials, "wrong password");
  }
  await ctx.limiters.loginByUsername.reset(user.username);
}
