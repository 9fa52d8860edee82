import { z } from "zod";
import {
  AppError,
  conversationSummary,
  ErrorCode,
  firstLink,
  historyInput,
  linkPreviewInput,
  linkPreviewOutput,
  historyOutput,
  markReadInput,
  markReadOutput,
  readersInput,
  readersOutput,
  seqAtInput,
  seqAtOutput,
} from "@dim/shared";
import { historyAround } from "../search/history-around";
import { seqAt } from "../search/search-messages";
import { listConversations } from "../conversations/list-conversations";
import { listReaders } from "../groups/list-readers";
import { publishReadReceipt } from "../conversations/publish-read-receipt";
import { authedProcedure, createTRPCRouter, memberProcedure } from "../trpc";

/** Messages whose body (a text, or a caption) may name a link worth a preview. */
const PREVIEWED_KINDS = new Set<string>(["text", "image", "file"]);

export const conversationsRouter = createTRPCRouter({
  /** Your conversations (former groups included), most recent activity first, with last message and unread count. */
  list: authedProcedure.output(z.array(conversationSummary)).query(({ ctx }) => listConversations(ctx.prisma, ctx.user.id)),

  /**
   * A page of history, ascending by seq: `afterSeq` pages forwards (what you missed), `beforeSeq`
   * backwards (older), neither gives the newest page. `hasMore` is about the paging direction.
   * `aroundSeq` gives a page around a seq (a search result, a date, the first unread).
   * Limited to your window: from the seq you joined at to the seq you left at (the store clamps).
   */
  history: memberProcedure(historyInput)
    .output(historyOutput)
    .query(async ({ ctx, input }) => {
      if (input.aroundSeq !== undefined) {
        const page = await historyAround(ctx.store, { ...input, aroundSeq: input.aroundSeq }, ctx.user.id);
        return { ...page, lastSeq: Math.max(ctx.member.lastSeq, page.messages.at(-1)?.seq ?? 0) };
      }
      const fetched =
        input.afterSeq !== undefined
          ? await ctx.store.after(input.conversationId, input.afterSeq, input.limit + 1, ctx.user.id)
          : await ctx.store.before(input.conversationId, input.beforeSeq, input.limit + 1, ctx.user.id);
      const hasMore = fetched.length > input.limit;
      const messages = !hasMore ? fetched : input.afterSeq !== undefined ? fetched.slice(0, input.limit) : fetched.slice(1);
      // ctx.member.lastSeq was read just before the page (same round trip as the session): a
      // message stored in between may be in the page, so its highest seq (the last) lifts it.
      // Seqs commit in order, so every seq up to that one exists.
      return { messages, hasMore, lastSeq: Math.max(ctx.member.lastSeq, messages.at(-1)?.seq ?? 0) };
    }),

  /** The seq to open the conversation at for a date ("jump to date"), within your window. */
  seqAt: memberProcedure(seqAtInput)
    .output(seqAtOutput)
    .query(async ({ ctx, input }) => ({ seq: await seqAt(ctx.prisma, ctx.user.id, input.conversationId, input.at) })),

  /** Moves your read cursor forward to `seq` (never back; capped at the last seq). */
  markRead: memberProcedure(markReadInput)
    .output(markReadOutput)
    .mutation(async ({ ctx, input }) => {
      const read = await ctx.store.moveCursor(input.conversationId, ctx.user.id, "read", input.seq);
      if (read === null) throw new AppError(ErrorCode.Forbidden, "you are not a member of this conversation");
      const readSeq = read.value;
      if (read.moved) {
        await publishReadReceipt(ctx, { conversationId: input.conversationId, userId: ctx.user.id, seq: readSeq, previous: read.previous });
      }
      return { readSeq };
    }),

  /**
   * Who has read the message at `seq` ("read by k of n"), a page at a time. Active members only;
   * a seq outside your window (before you joined, or not stored yet) is NOT_FOUND.
   */
  readers: memberProcedure(readersInput, { active: true })
    .output(readersOutput)
    .query(({ ctx, input }) => {
      if (input.seq < ctx.member.joinedSeq || input.seq > ctx.member.lastSeq) {
        throw new AppError(ErrorCode.NotFound, "no message with this seq in your history");
      }
      return listReaders(ctx.prisma, input);
    }),

  /**
   * The preview card of the first http(s) link of the message at `seq` (docs/protocol.md §3.6):
   * only for a member who can see that message, fetched by the gateway under the SSRF guard and
   * limits of docs/security.md, cached for everyone. No link, a deleted message, a page with no
   * preview, previews off: `{ preview: null }`. A seq outside your window: NOT_FOUND.
   */
  linkPreview: memberProcedure(linkPreviewInput)
    .output(linkPreviewOutput)
    .query(async ({ ctx, input }) => {
      if (input.seq < ctx.member.joinedSeq || input.seq > ctx.member.lastSeq) {
        throw new AppError(ErrorCode.NotFound, "no message with this seq in your history");
      }
      const message = await ctx.prisma.message.findUnique({
        where: { conversationId_seq: { conversationId: input.conversationId, seq: BigInt(input.seq) } },
        select: { kind: true, body: true, deletedAt: true },
      });
      if (!message) throw new AppError(ErrorCode.NotFound, "no message with this seq in your history");
      const url = message.deletedAt === null && PREVIEWED_KINDS.has(message.kind) ? firstLink(message.body) : null;
      if (!url) return { preview: null };
      return { preview: await ctx.linkPreviews.previewOf(url, ctx.user.id) };
    }),
});
