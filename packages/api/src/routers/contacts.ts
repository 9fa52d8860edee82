import { randomUUID } from "node:crypto";
import { z } from "zod";
import {
  acceptOutput,
  AppError,
  blockedUsersOutput,
  contactUserInput,
  contact,
  contactRequest,
  contactRequestIdInput,
  contactRequestInput,
  contactRequestsOutput,
  ErrorCode,
  okOutput,
  type ContactRequest,
} from "@dim/shared";
import { toPublicUser } from "../auth/session";
import { acceptInTx, directKey } from "../contacts/accept-in-tx";
import type { Context } from "../context";
import { announceGroupChange } from "../groups/group-events";
import { blockedEitherWay, blockUser, listBlocked, unblockUser } from "../contacts/blocks";
import { announceContacts } from "../contacts/contact-events";
import { removeContact } from "../contacts/remove-contact";
import { lockKey, type Tx } from "../db";
import { authedProcedure, createTRPCRouter } from "../trpc";

/** Most requests listed per direction, and most contacts listed. */
const MAX_LISTED_REQUESTS = 200;
const MAX_LISTED_CONTACTS = 1000;

const withUsers = { from: true, to: true } as const;

type UserRow = Parameters<typeof toPublicUser>[0];
interface RequestRow {
  id: string;
  status: ContactRequest["status"];
  createdAt: Date;
  from: UserRow;
  to: UserRow;
}

function toContactRequest(r: RequestRow): ContactRequest {
  return {
    id: r.id,
    from: toPublicUser(r.from),
    to: toPublicUser(r.to),
    status: r.status,
    createdAt: r.createdAt.toISOString(),
  };
}

/** Tells the nodes (GroupEvents) that a direct conversation now exists for both users. */
async function announceDirect(ctx: Pick<Context, "groupEvents" | "log">, conversationId: string, users: [string, string]): Promise<void> {
  await announceGroupChange(ctx.groupEvents, ctx.log, {
    conversationId,
    kind: "direct",
    membershipSeq: 0,
    systemMessage: null,
    added: users,
    changed: [],
    removed: [],
  });
}

/**
 * The answer to a request the peer must not get: the peer blocked you, or an admin disabled the
 * peer's account. One answer for both, so it does not say which.
 */
const requestRefused = () => new AppError(ErrorCode.Forbidden, "you cannot send a contact request to this user");

/**
 * After an accept: both users' devices hear `accepted`; a direct conversation that existed before
 * (a contact removed and added again) is writable again, so the nodes drop their cached view.
 */
async function announceAccepted(ctx: Context, request: ContactRequest, created: boolean, conversationId: string): Promise<void> {
  await announceContacts(
    ctx.contactEvents,
    ctx.log,
    [
      { to: [request.from.id], event: "accepted", user: request.to },
      { to: [request.to.id], event: "accepted", user: request.from },
    ],
    created ? undefined : conversationId,
  );
}

/** The request if `me` is its recipient; NOT_FOUND when it is unknown or not yours to decide. */
async function requestToMe(tx: Tx, requestId: string, me: string) {
  const request = await tx.contactRequest.findUnique({ where: { id: requestId }, include: withUsers });
  if (!request || (request.toUserId !== me && request.fromUserId !== me)) {
    throw new AppError(ErrorCode.NotFound, "no such contact request");
  }
  if (request.toUserId !== me) throw new AppError(ErrorCode.Forbidden, "only the recipient can decide a contact request");
  return request;
}

/** A mutation on another user by id (`{ userId }` → `{ ok: true }`). */
function contactUserMutation(run: (ctx: Context, me: string, userId: string) => Promise<void>) {
  return authedProcedure
    .input(contactUserInput)
    .output(okOutput)
    .mutation(async ({ ctx, input }) => {
      await run(ctx, ctx.user.id, input.userId);
      return { ok: true as const };
    });
}

export const contactsRouter = createTRPCRouter({
  /**
   * Asks `username` to become a contact. If they already asked you, this accepts their request
   * (the answer then has status "accepted").
   */
  request: authedProcedure
    .input(contactRequestInput)
    .output(contactRequest)
    .mutation(async ({ ctx, input }) => {
      const me = ctx.user.id;
      if (input.username === ctx.user.username) throw new AppError(ErrorCode.BadRequest, "you cannot add yourself", { reason: "self" });
      const peer = await ctx.prisma.user.findUnique({ where: { username: input.username }, select: { id: true, deletedAt: true, disabledAt: true } });
      if (!peer || peer.deletedAt !== null) throw new AppError(ErrorCode.NotFound, `no user named '${input.username}'`);

      const outcome = await ctx.prisma.$transaction(async (tx) => {
        await lockKey(tx, directKey(me, peer.id));
        const existing = await tx.contact.findUnique({ where: { ownerId_peerId: { ownerId: me, peerId: peer.id } } });
        if (existing) throw new AppError(ErrorCode.Conflict, `'${input.username}' is already a contact`);
        const blocks = await blockedEitherWay(tx, me, peer.id);
        if (blocks.byMe) throw new AppError(ErrorCode.Conflict, `you blocked '${input.username}': unblock them first`);
        if (blocks.byPeer || peer.disabledAt !== null) throw requestRefused();

        const incoming = await tx.contactRequest.findUnique({
          where: { fromUserId_toUserId: { fromUserId: peer.id, toUserId: me } },
        });
        if (incoming?.status === "pending") {
          const { contact, created } = await acceptInTx(tx, me, peer.id);
          ctx.log.info({ peerId: peer.id }, "contact request crossed an incoming one: accepted");
          const request = toContactRequest(await tx.contactRequest.findUniqueOrThrow({ where: { id: incoming.id }, include: withUsers }));
          return { request, created, conversationId: contact.conversationId };
        }

        const outgoing = await tx.contactRequest.findUnique({
          where: { fromUserId_toUserId: { fromUserId: me, toUserId: peer.id } },
        });
        if (outgoing?.status === "pending") {
          throw new AppError(ErrorCode.Conflict, `a request to '${input.username}' is already pending`);
        }
        // A declined (or stale accepted) request is asked again rather than duplicated.
        const row = outgoing
          ? await tx.contactRequest.update({
              where: { id: outgoing.id },
              data: { status: "pending", createdAt: new Date(), decidedAt: null },
              include: withUsers,
            })
          : await tx.contactRequest.create({
              data: { id: randomUUID(), fromUserId: me, toUserId: peer.id },
              include: withUsers,
            });
        ctx.log.info({ peerId: peer.id, requestId: row.id }, "contact requested");
        return { request: toContactRequest(row), created: false, conversationId: null };
      });
      const { request } = outcome;
      if (outcome.conversationId === null) {
        await announceContacts(ctx.contactEvents, ctx.log, [
          { to: [request.to.id], event: "request", user: request.from },
          { to: [request.from.id], event: "request", user: request.to },
        ]);
      } else {
        if (outcome.created) await announceDirect(ctx, outcome.conversationId, [me, peer.id]);
        await announceAccepted(ctx, request, outcome.created, outcome.conversationId);
      }
      return request;
    }),

  /** Accepts a request sent to you: creates the direct conversation. Idempotent. */
  accept: authedProcedure
    .input(contactRequestIdInput)
    .output(acceptOutput)
    .mutation(async ({ ctx, input }) => {
      const me = ctx.user.id;
      const first = await requestToMe(ctx.prisma, input.requestId, me);
      const { contact, created, request } = await ctx.prisma.$transaction(async (tx) => {
        await lockKey(tx, directKey(me, first.fromUserId));
        const request = await requestToMe(tx, input.requestId, me);
        if (request.status === "declined") throw new AppError(ErrorCode.Conflict, "this request was declined");
        const result = await acceptInTx(tx, me, request.fromUserId);
        ctx.log.info({ requestId: request.id, conversationId: result.contact.conversationId }, "contact request accepted");
        return { ...result, request: toContactRequest(request) };
      });
      if (created) await announceDirect(ctx, contact.conversationId, [me, first.fromUserId]);
      await announceAccepted(ctx, request, created, contact.conversationId);
      return { contact };
    }),

  /** Declines a request sent to you. Declining twice is fine; an accepted one is CONFLICT. */
  decline: authedProcedure
    .input(contactRequestIdInput)
    .output(okOutput)
    .mutation(async ({ ctx, input }) => {
      const me = ctx.user.id;
      const request = await requestToMe(ctx.prisma, input.requestId, me);
      if (request.status === "accepted") throw new AppError(ErrorCode.Conflict, "this request was already accepted");
      const { count } = await ctx.prisma.contactRequest.updateMany({
        where: { id: request.id, status: "pending" },
        data: { status: "declined", decidedAt: new Date() },
      });
      if (count === 0) {
        // Decided in between: fine if declined, a conflict if accepted.
        const now = await ctx.prisma.contactRequest.findUniqueOrThrow({ where: { id: request.id } });
        if (now.status === "accepted") throw new AppError(ErrorCode.Conflict, "this request was already accepted");
      } else {
        const decided = toContactRequest(request);
        await announceContacts(ctx.contactEvents, ctx.log, [
          { to: [decided.from.id], event: "declined", user: decided.to },
          { to: [decided.to.id], event: "declined", user: decided.from },
        ]);
      }
      return { ok: true as const };
    }),

  /** Pending requests: sent to you (incoming) and sent by you (outgoing), newest first. */
  requests: authedProcedure.output(contactRequestsOutput).query(async ({ ctx }) => {
    const me = ctx.user.id;
    const [incoming, outgoing] = await Promise.all([
      ctx.prisma.contactRequest.findMany({
        where: { toUserId: me, status: "pending" },
        include: withUsers,
        orderBy: { createdAt: "desc" },
        take: MAX_LISTED_REQUESTS,
      }),
      ctx.prisma.contactRequest.findMany({
        where: { fromUserId: me, status: "pending" },
        include: withUsers,
        orderBy: { createdAt: "desc" },
        take: MAX_LISTED_REQUESTS,
      }),
    ]);
    return { incoming: incoming.map(toContactRequest), outgoing: outgoing.map(toContactRequest) };
  }),

  /** Removes a contact (both ways); the direct conversation stays, read-only. Idempotent. */
  remove: contactUserMutation(removeContact),
  /** Blocks a user (contact or not). Idempotent. */
  block: contactUserMutation(blockUser),
  /** Lifts your block. Idempotent: unblocking someone you did not block changes nothing. */
  unblock: contactUserMutation(unblockUser),

  /** The users you blocked, newest first. */
  blocked: authedProcedure.output(blockedUsersOutput).query(({ ctx }) => listBlocked(ctx, ctx.user.id)),

  /** Your contacts with their direct conversation, by username. */
  list: authedProcedure.output(z.array(contact)).query(async ({ ctx }) => {
    const rows = await ctx.prisma.contact.findMany({
      where: { ownerId: ctx.user.id },
      include: { peer: true },
      orderBy: { peer: { username: "asc" } },
      take: MAX_LISTED_CONTACTS,
    });
    return rows.map((r) => ({ user: toPublicUser(r.peer), conversationId: r.conversationId, since: r.createdAt.toISOString() }));
  }),
});
