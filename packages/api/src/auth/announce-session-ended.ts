/**
 * After a logout: every live core node is told (`session.ended`) to close its sockets of that
 * session with SessionEnded. The session row is already deleted, so a token issued to it before
 * the logout is refused at `auth` whatever happens here; this only ends the sockets already open.
 * Best effort: resolves once every node's record was acknowledged or failed (logged), never throws.
 */
import { encodeNodeEnvelope } from "@dim/shared";
import type { Logger } from "@dim/shared/node";
import type { Bus, Registry } from "@dim/infra";

export async function announceSessionEnded(
  deps: { bus: Pick<Bus, "publish">; registry: Pick<Registry, "liveNodes">; logger: Logger },
  session: { sessionId: string; userId: string },
): Promise<void> {
  const log = deps.logger.child({ userId: session.userId, sessionId: session.sessionId });
  let nodes: string[];
  try {
    nodes = (await deps.registry.liveNodes()).map((n) => n.nodeId);
  } catch (err) {
    log.warn({ err }, "cannot list live nodes; the session's open sockets stay until they close");
    return;
  }
  const { key, payload } = encodeNodeEnvelope({ type: "session.ended", ...session });
  await Promise.all(
    nodes.map((nodeId) =>
      deps.bus.publish(nodeId, key, payload).catch((err: unknown) => {
        log.warn({ err, targetNodeId: nodeId }, "session.ended not published; that node's sockets of the session stay open");
      }),
    ),
  );
}
