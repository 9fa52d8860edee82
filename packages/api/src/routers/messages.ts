import { searchMessagesInput, searchMessagesOutput } from "@dim/shared";
import { rateLimited } from "../auth/rate-limiter";
import { searchMessages } from "../search/search-messages";
import { authedProcedure, createTRPCRouter } from "../trpc";

export const messagesRouter = createTRPCRouter({
  /**
   * Full-text and substring search in your own conversations' messages (docs/protocol.md §19).
   * Shares the per-user search budget with users.search (DIM_SEARCH_MAX_PER_USER).
   */
  search: authedProcedure
    .input(searchMessagesInput)
    .output(searchMessagesOutput)
    .query(async ({ ctx, input }) => {
      const r = await ctx.limiters.searchByUser.take(ctx.user.id);
      if (!r.ok) throw rateLimited(r.retryAfterMs, "searches");
      return searchMessages(ctx.prisma, ctx.user.id, input);
    }),
});
