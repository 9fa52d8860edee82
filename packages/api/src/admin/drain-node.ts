/**
 * An admin drains a core node (the admin page's drain button): the gateway checks the node is
 * live under the epoch the admin saw, audits the action, and sends `node.drain` over the bus to
 * that node's own inbox — the channel every node already listens on, in both modes (Kafka topic,
 * embedded PostgreSQL channel). The node then drains as at SIGTERM. The gateway never calls a
 * node's metrics listener: it is loopback-only by design.
 */
import { recordAudit, type AdminActor } from "@dim/db";
import { AppError, encodeNodeEnvelope, ErrorCode } from "@dim/shared";
import type { Context } from "../context";

export async function drainNode(ctx: Context, actor: AdminActor & { id: string }, input: { nodeId: string; epoch: number }) {
  if (!ctx.bus) throw new AppError(ErrorCode.Internal, "this gateway has no bus to reach the nodes; drain the node with SIGTERM");
  const node = (await ctx.registry.liveNodes()).find((n) => n.nodeId === input.nodeId);
  if (!node) throw new AppError(ErrorCode.NotFound, `no live node is called '${input.nodeId}'`);
  if (node.epoch !== input.epoch) {
    throw new AppError(ErrorCode.Conflict, `node '${input.nodeId}' restarted since (epoch ${node.epoch}, not ${input.epoch}); reload the list`, {
      epoch: node.epoch,
    });
  }
  const alreadyDraining = node.draining === true;
  await recordAudit(ctx.prisma, actor, { action: "drain", targetName: node.nodeId, details: { epoch: node.epoch, alreadyDraining } });
  const { key, payload } = encodeNodeEnvelope({ type: "node.drain", nodeId: node.nodeId, epoch: node.epoch, by: actor.username });
  await ctx.bus.publish(node.nodeId, key, payload);
  ctx.log.info({ nodeId: node.nodeId, epoch: node.epoch, alreadyDraining }, "node drain asked");
  return { nodeId: node.nodeId, epoch: node.epoch, alreadyDraining };
}
