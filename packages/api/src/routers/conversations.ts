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
import type { Db } from "../db";
import { listConversations } from "../conversations/list-conversations";
import { publishReadReceipt } from "../conversations/publish-read-receipt";
import { authedProcedure, createTRPCRouter } from "../trpc";

/** The caller's membership (FORBIDDEN when none, also for conversations that do not exist). */
async function membership(db: Db, conversationId: string, userId: string) {
  const member = await db.conversationMember.findUnique({
    where: { conversationId_userId: { conversationId, userId } },
    select: { readSeq: true, conversation: { select: { lastSeq: true } } },
  });
  if (!member) throw new AppError(ErrorCode.Forbidden, "you are not a member of this conversation");
  return { readSeq: Number(member.readSeq), lastSeq: Number(member.conversation.lastSeq) };
}

export const conversationsRouter = createTRPCRouter({
  /** Your conversations, most recent activity first, with last message and unread count. */
  list: authedProcedure.output(z.array(conversationSummary)).query(({ ctx }) => listConversations(ctx.prisma, ctx.user.id)),

  /**
   * A page of history, ascending by seq: `afterSeq` pages forwards (what you missed), `beforeSeq`
   * backwards (older), neither gives the newest page. `hasMore` is about the paging direction.
   */
  history: authedProcedure
    .input(historyInput)
    .output(historyOutput)
    .query(async ({ ctx, input }) => {
      await membership(ctx.prisma, input.conversationId, ctx.user.id);
      const fetched =
        input.afterSeq !== undefined
          ? await ctx.store.after(input.conversationId, input.afterSeq, input.limit + 1)
          : await ctx.store.before(input.conversationId, input.beforeSeq, input.limit + 1);
      const hasMore = fetched.length > input.limit;
      const messages = !hasMore ? fetched : input.afterSeq !== undefined ? fetched.slice(0, input.limit) : fetched.slice(1);
      // Read after the page so lastSeq is never below a seq in it.
      const { lastSeq } = await membership(ctx.prisma, input.conversationId, ctx.user.id);
      return { messages, hasMore, lastSeq: Math.max(lastSeq, messages.at(-1)?.seq ?? 0) };
    }),

  /** Moves your read cursor forward to `seq` (never back; capped at the last seq). */
  markRead: authedProcedure
    .input(markReadInput)
    .output(markReadOutput)
    .mutation(async ({ ctx, input }) => {
      const before = await membership(ctx.prisma, input.conversationId, ctx.user.id);
      const readSeq = await ctx.store.advanceCursor(input.conversationId, ctx.user.id, "read", input.seq);
      if (readSeq === null) throw new AppError(ErrorCode.Forbidden, "you are not a member of this conversation");
      if (readSeq > before.readSeq) {
        await publishReadReceipt(ctx, { conversationId: input.conversationId, userId: ctx.user.id, seq: readSeq });
      }
      return { readSeq };
    }),
});
