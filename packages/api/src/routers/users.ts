import { z } from "zod";
import { publicUser, searchUsersInput } from "@dim/shared";
import { rateLimited } from "../auth/rate-limiter";
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
      return ctx.prisma.$queryRaw<z.infer<typeof publicUser>[]>`
        SELECT id::text AS id, username, display_name AS "displayName", avatar_url AS "avatarUrl"
        FROM users
        WHERE id <> ${ctx.user.id}::uuid
          AND (username LIKE ${pattern} ESCAPE '\\' OR lower(display_name) LIKE ${pattern} ESCAPE '\\')
        ORDER BY (username = ${q}) DESC, (username LIKE ${pattern} ESCAPE '\\') DESC, username
        LIMIT ${input.limit}`;
    }),
});
