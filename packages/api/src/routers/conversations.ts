import { z } from "zod";
import {
  AppError,
  conversationSummary,
  ErrorCode,
  historyInput,
  historyOutput,
  markReadInput,
  markReadOutput,
} from "@dim/shared";
import { listConversations } from "../conversations/list-conversations";
import { publishReadReceipt } from "../conversations/publish-read-receipt";
import { authedProcedure, createTRPCRouter, memberProcedure } from "../trpc";

export const conversationsRouter = createTRPCRouter({
  /** Your conversations, most recent activity first, with last message and unread count. */
  list: authedProcedure.output(z.array(conversationSummary)).query(({ ctx }) => listConversations(ctx.prisma, ctx.user.id)),

  /**
   * A page of history, ascending by seq: `afterSeq` pages forwards (what you missed), `beforeSeq`
   * backwards (older), neither gives the newest page. `hasMore` is about the paging direction.
   */
  history: memberProcedure(historyInput)
    .output(historyOutput)
    .query(async ({ ctx, input }) => {
      const fetched =
        input.afterSeq !== undefined
          ? await ctx.store.after(input.conversationId, input.afterSeq, input.limit + 1)
          : await ctx.store.before(input.conversationId, input.beforeSeq, input.limit + 1);
      const hasMore = fetched.length > input.limit;
      const messages = !hasMore ? fetched : input.afterSeq !== undefined ? fetched.slice(0, input.limit) : fetched.slice(1);
      // ctx.member.lastSeq was read just before the page (same round trip as the session): a
      // message stored in between may be in the page, so its highest seq (the last) lifts it.
      // Seqs commit in order, so every seq up to that one exists.
      return { messages, hasMore, lastSeq: Math.max(ctx.member.lastSeq, messages.at(-1)?.seq ?? 0) };
    }),

  /** Moves your read cursor forward to `seq` (never back; capped at the last seq). */
  markRead: memberProcedure(markReadInput)
    .output(markReadOutput)
    .mutation(async ({ ctx, input }) => {
      const readSeq = await ctx.store.advanceCursor(input.conversationId, ctx.user.id, "read", input.seq);
      if (readSeq === null) throw new AppError(ErrorCode.Forbidden, "you are not a member of this conversation");
      if (readSeq > ctx.member.readSeq) {
        await publishReadReceipt(ctx, { conversationId: input.conversationId, userId: ctx.user.id, seq: readSeq });
      }
      return { readSeq };
    }),
});
