/**
 * Fan-out by node for group conversations: a committed group message goes to this node's
 * sockets of its members at once and, as ONE `deliver.group` record, to every other live node
 * (no recipient list, no presence look-up). A node receiving one delivers to its sockets of the
 * members whose window holds the seq, after re-reading the member list when the record carries
 * a newer membershipSeq than it holds. Also the node's end of `members.changed` (drop the cached
 * list) and `conversation` (forward the frame to the named users' sockets).
 */
import { encodeNodeEnvelope, type Message, type NodeEnvelope, type NodeEnvelopeOf } from "@dim/shared";
import type { Logger } from "@dim/shared/node";
import type { KeyedSerialQueue } from "@dim/shared/async";
import type { Bus } from "@dim/infra";
import { EncodedPush, type ClientConnection } from "./client-connection";
import { windowHolds, type GroupMembers } from "./group-members";
import type { LocalConnections } from "./local-connections";
import type { PeerNodes } from "./peer-nodes";

export interface GroupFanoutDeps {
  bus: Pick<Bus, "publish">;
  peers: Pick<PeerNodes, "list">;
  members: GroupMembers;
  connections: LocalConnections;
  /** Per-conversation publish order, shared with the node's other fan-outs. */
  queue: KeyedSerialQueue;
  logger: Logger;
}

export class GroupFanout {
  constructor(private readonly deps: GroupFanoutDeps) {}

  /**
   * A group message this node committed (or found stored: `duplicate`). Pushed to its members'
   * sockets here, except the sending one, and queued for every other live node. For a new
   * message `memberIds` (active at its commit) are exactly the members whose window holds its
   * seq; a duplicate may be older than some of today's members, so it goes by the windows.
   */
  deliver(message: Message, append: { memberIds: string[]; membershipSeq: number; duplicate: boolean }, except: ClientConnection): void {
    const envelope = { type: "deliver.group", conversationId: message.conversationId, membershipSeq: append.membershipSeq, message } as const;
    if (append.duplicate) {
      this.onDeliver(envelope, except).catch((err: unknown) => {
        this.deps.logger.warn({ err, conversationId: message.conversationId }, "re-sent group message not pushed here; members will sync");
      });
    } else {
      const encoded = new EncodedPush(message);
      for (const userId of append.memberIds) {
        for (const conn of this.deps.connections.ofUser(userId)) if (conn !== except) conn.pushMessage(message, encoded);
      }
    }
    this.publishToPeers(envelope);
  }

  /** A `deliver.group` from another node (or the gateway's system message): by the members' windows. */
  async onDeliver(envelope: NodeEnvelopeOf<"deliver.group">, except: ClientConnection | null = null): Promise<void> {
    if (this.deps.connections.authenticatedCount === 0) return;
    const group = await this.deps.members.get(envelope.conversationId, envelope.membershipSeq);
    if (group === null) return;
    const seq = envelope.message.seq;
    const encoded = new EncodedPush(envelope.message);
    for (const [userId, window] of group.members) {
      if (!windowHolds(window, seq)) continue;
      for (const conn of this.deps.connections.ofUser(userId)) if (conn !== except) conn.pushMessage(envelope.message, encoded);
    }
  }

  onMembersChanged(envelope: NodeEnvelopeOf<"members.changed">): void {
    this.deps.members.invalidate(envelope.conversationId, envelope.membershipSeq);
  }

  onConversation(envelope: NodeEnvelopeOf<"conversation">): void {
    for (const userId of envelope.userIds) {
      for (const conn of this.deps.connections.ofUser(userId)) conn.send(envelope.frame);
    }
  }

  /**
   * Queues (per conversation, in call order) one record per other live node; returns at once.
   * Encoded once. Failures are logged: the message or cursor is committed, sync repairs.
   */
  publishToPeers(envelope: NodeEnvelope & { conversationId: string }): void {
    void this.deps.queue.push(envelope.conversationId, async () => {
      const { key, payload } = encodeNodeEnvelope(envelope);
      for (const peer of await this.deps.peers.list()) {
        this.deps.bus.publish(peer, key, payload).catch((err: unknown) => {
          this.deps.logger.warn({ err, targetNodeId: peer, type: envelope.type }, "bus publish failed; members there will sync");
        });
      }
    });
  }
}
