import { recordAudit } from "@dim/db";
import {
  adminAuditInput,
  adminAuditOutput,
  adminDisableOutput,
  adminDrainNodeInput,
  adminDrainNodeOutput,
  adminEnableOutput,
  adminNodesOutput,
  adminUserIdInput,
  adminUserLookupInput,
  adminUserLookupOutput,
  AppError,
  ErrorCode,
  type AdminAction,
} from "@dim/shared";
import { disableUser, enableUser } from "../admin/disable-user";
import { drainNode } from "../admin/drain-node";
import { toPublicUser } from "../auth/session";
import { adminProcedure, createTRPCRouter } from "../trpc";

/** The admin page's procedures. Each one is refused (FORBIDDEN) unless the caller is an admin. */
export const adminRouter = createTRPCRouter({
  /** The live core nodes as the registry has them (connections and message rates as last reported by each node). */
  nodes: adminProcedure.output(adminNodesOutput).query(async ({ ctx }) => {
    const now = Date.now();
    const live = await ctx.registry.liveNodes();
    const nodes = live
      .map((n) => ({
        nodeId: n.nodeId,
        wsUrl: n.wsUrl,
        epoch: n.epoch,
        startedAt: new Date(n.startedAt).toISOString(),
        uptimeSeconds: Math.max(0, Math.floor((now - Date.parse(n.startedAt)) / 1000)),
        connections: n.connections,
        messagesInPerSec: n.messageRates?.inPerSec ?? 0,
        messagesOutPerSec: n.messageRates?.outPerSec ?? 0,
        draining: n.draining === true,
      }))
      .sort((a, b) => a.nodeId.localeCompare(b.nodeId));
    return { nodes, at: new Date(now).toISOString() };
  }),

  /** Tells one node to drain (over the bus), as SIGTERM would. Audited. */
  drainNode: adminProcedure
    .input(adminDrainNodeInput)
    .output(adminDrainNodeOutput)
    .mutation(({ ctx, input }) => drainNode(ctx, ctx.user, input)),

  /** One user and its live sessions (devices). Audited: it shows addresses. */
  userLookup: adminProcedure
    .input(adminUserLookupInput)
    .output(adminUserLookupOutput)
    .query(async ({ ctx, input }) => {
      const user = await ctx.prisma.user.findUnique({
        where: { username: input.username },
        include: { sessions: { where: { expiresAt: { gt: new Date() } }, orderBy: { createdAt: "desc" } } },
      });
      if (!user) throw new AppError(ErrorCode.NotFound, `no user is called '${input.username}'`);
      await recordAudit(ctx.prisma, ctx.user, { action: "lookup", target: user });
      return {
        user: {
          ...toPublicUser(user),
          isAdmin: user.isAdmin,
          createdAt: user.createdAt.toISOString(),
          disabledAt: user.disabledAt?.toISOString() ?? null,
        },
        sessions: user.sessions.map((s) => ({
          id: s.id,
          createdAt: s.createdAt.toISOString(),
          lastUsedAt: s.lastUsedAt?.toISOString() ?? null,
          expiresAt: s.expiresAt.toISOString(),
          userAgent: s.userAgent,
          ip: s.ip,
        })),
      };
    }),

  /** Disables the account: its sessions end and its sockets close on every node (4402). */
  disableUser: adminProcedure
    .input(adminUserIdInput)
    .output(adminDisableOutput)
    .mutation(({ ctx, input }) => disableUser(ctx, ctx.user, input.userId)),

  enableUser: adminProcedure
    .input(adminUserIdInput)
    .output(adminEnableOutput)
    .mutation(({ ctx, input }) => enableUser(ctx, ctx.user, input.userId)),

  /** The audit, newest first, a page at a time. */
  audit: adminProcedure
    .input(adminAuditInput)
    .output(adminAuditOutput)
    .query(async ({ ctx, input }) => {
      const rows = await ctx.prisma.adminAudit.findMany({
        where: input.cursor ? { id: { lt: BigInt(input.cursor) } } : {},
        orderBy: { id: "desc" },
        take: input.limit + 1,
      });
      const page = rows.slice(0, input.limit);
      return {
        entries: page.map((r) => ({
          id: r.id.toString(),
          actor: r.actor,
          action: r.action as AdminAction,
          targetUserId: r.targetUserId,
          target: r.target,
          details: (r.details ?? {}) as Record<string, unknown>,
          at: r.at.toISOString(),
        })),
        nextCursor: rows.length > input.limit ? page[page.length - 1]!.id.toString() : null,
      };
    }),
});
