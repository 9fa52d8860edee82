import { z } from "zod";
import { publicUser, searchUsersInput } from "@dim/shared";
import { Prisma } from "@dim/db";
import { rateLimited } from "../auth/rate-limiter";
import { publicUserOfRow, USER_COLUMNS, type UserRow } from "../auth/session";
import { authedProcedure, createTRPCRouter } from "../trpc";

/** Escapes LIKE's wildcards ('_' is common in usernames). */
function likePrefix(s: string): string {
  return `${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export const usersRouter = createTRPCRouter({
  /** Users whose username or display name starts with `query` (case-insensitive), not yourself. */
  search: authedProcedure
    .input(searchUsersInput)
    .output(z.array(publicUser))
    .query(async ({ ctx, input }) => {
      const r = await ctx.limiters.searchByUser.take(ctx.user.id);
      if (!r.ok) throw rateLimited(r.retryAfterMs, "searches");
      const q = input.query.toLowerCase();
      const pattern = likePrefix(q);
      const rows = await ctx.prisma.$queryRaw<UserRow[]>`
        SELECT ${Prisma.raw(USER_COLUMNS)}
        FROM users u
        WHERE u.id <> ${ctx.user.id}::uuid AND u.deleted_at IS NULL
          AND (u.username LIKE ${pattern} ESCAPE '\\' OR lower(u.display_name) LIKE ${pattern} ESCAPE '\\')
        ORDER BY (u.username = ${q}) DESC, (u.username LIKE ${pattern} ESCAPE '\\') DESC, u.username
        LIMIT ${input.limit}`;
      return rows.map(publicUserOfRow);
    }),
});
