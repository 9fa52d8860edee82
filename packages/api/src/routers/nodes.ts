import { AppError, assignNodeInput, assignNodeOutput, ErrorCode, PROTOCOL_VERSION } from "@dim/shared";
import { issueSocketToken } from "@dim/shared/node";
import { authedProcedure, createTRPCRouter } from "../trpc";

export const nodesRouter = createTRPCRouter({
  /**
   * A live core node for this client, with a short-lived socket token bound to it. On reconnect
   * the client lists the node(s) it saw die in `exclude`; they are skipped unless nothing else
   * is live (a node it wrongly thought dead beats no node). A draining node is never assigned:
   * it is moving its clients away (docs/operations.md, Drain).
   */
  assign: authedProcedure
    .input(assignNodeInput)
    .output(assignNodeOutput)
    .mutation(async ({ ctx, input }) => {
      const live = (await ctx.registry.liveNodes()).filter((n) => !n.draining);
      const excluded = new Set(input.exclude);
      const preferred = live.filter((n) => !excluded.has(n.nodeId));
      const candidates = preferred.length > 0 ? preferred : live;
      if (candidates.length === 0) throw new AppError(ErrorCode.NoNodeAvailable, "no core node is live; try again shortly");
      const node = ctx.assignStrategy.pick(candidates);
      // "Last used" of the admin's user lookup: once per socket connect, not per request.
      await ctx.prisma.session.updateMany({ where: { id: ctx.session.sessionId }, data: { lastUsedAt: new Date() } });
      const { token, claims } = issueSocketToken(
        { userId: ctx.user.id, sessionId: ctx.session.sessionId, nodeId: node.nodeId, ttlMs: ctx.config.socketTokenTtlMs },
        ctx.config.tokenSecret,
      );
      ctx.log.debug({ nodeId: node.nodeId, strategy: ctx.assignStrategy.name, live: live.length }, "node assigned");
      return {
        nodeId: node.nodeId,
        wsUrl: node.wsUrl,
        token,
        expiresAt: new Date(claims.exp).toISOString(),
        protocolVersion: PROTOCOL_VERSION,
      };
    }),
});
