/**
 * Typing signals (protocol: "Typing"): a member's `typing` goes to the other active members'
 * sockets on this node at once and over the bus to the other nodes (1:1: to the nodes of the
 * other member, by presence; groups: one record per live node, as group messages go). Never
 * stored, never queued for an offline user; a relay that reaches a node late is dropped there.
 *
 * Authorization is the node's member cache (group-members.ts: invalidated over the bus on every
 * membership change, re-read when a relay carries a newer membershipSeq), so a removed member
 * neither sends nor receives typing; in a direct conversation that is not open (removed contact,
 * a block either way: dropped from the cache by `direct.changed`) neither user's typing is
 * relayed, and the typist is answered exactly as a non-member. Rate: one relayed `typing` per socket per conversation per
 * EphemeralLimits.typingMinIntervalMs; a sooner one is RATE_LIMITED and not relayed.
 */
import {
  AppError,
  EphemeralLimits,
  ErrorCode,
  type TypingEnvelope,
  type TypingFrame,
  type TypingServerFrame,
} from "@dim/shared";
import type { Logger } from "@dim/shared/node";
import type { KeyedSerialQueue } from "@dim/shared/async";
import { publishToUsers, type Bus } from "@dim/infra";
import type { ClientConnection } from "./client-connection";
import type { GroupFanout } from "./group-fanout";
import type { GroupMembers } from "./group-members";
import type { LocalConnections } from "./local-connections";
import type { RouteLookup } from "./route-lookup";

export interface TypingRelayDeps {
  nodeId: () => string;
  bus: Pick<Bus, "publish">;
  routes: Pick<RouteLookup, "routesOf">;
  members: GroupMembers;
  connections: LocalConnections;
  groups: Pick<GroupFanout, "publishToPeers">;
  /** Per-conversation publish order, shared with the node's message fan-out. */
  queue: KeyedSerialQueue;
  logger: Logger;
  /** Wall-clock ms (relay age crosses nodes); tests pass their own. */
  now?: () => number;
}

/** Conversations a socket's rate map keeps before it forgets the entries that no longer limit. */
const PRUNE_AT = 64;

export class TypingRelay {
  /** socket → conversationId → when its last `typing` was relayed (ms). Gone with the socket. */
  private readonly lastRelayed = new WeakMap<ClientConnection, Map<string, number>>();
  private readonly now: () => number;

  constructor(private readonly deps: TypingRelayDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** A `typing` frame of an authenticated socket. Throws AppError (RATE_LIMITED, FORBIDDEN) for the client. */
  async onFrame(conn: ClientConnection, userId: string, frame: TypingFrame): Promise<void> {
    const now = this.now();
    const conversationId = frame.conversationId;
    const relayed = this.lastRelayed.get(conn) ?? new Map<string, number>();
    const last = relayed.get(conversationId);
    if (last !== undefined && now - last < EphemeralLimits.typingMinIntervalMs) {
      const retryAfterMs = EphemeralLimits.typingMinIntervalMs - (now - last);
      throw new AppError(ErrorCode.RateLimited, `at most one typing per conversation every ${EphemeralLimits.typingMinIntervalMs} ms`, { retryAfterMs });
    }
    const conversation = await this.deps.members.get(conversationId);
    if (conversation === null || !conversation.active.includes(userId) || !conversation.open) {
      throw new AppError(ErrorCode.Forbidden, "not a member of this conversation");
    }
    if (relayed.size >= PRUNE_AT) {
      for (const [id, at] of relayed) if (now - at >= EphemeralLimits.typingMinIntervalMs) relayed.delete(id);
    }
    relayed.set(conversationId, now);
    this.lastRelayed.set(conn, relayed);

    const others = conversation.active.filter((m) => m !== userId);
    this.pushLocal(others, { type: "typing", conversationId, userId, ttlMs: EphemeralLimits.typingTtlMs });
    const envelope: TypingEnvelope = { type: "typing", conversationId, userId, membershipSeq: conversation.membershipSeq, at: now };
    if (conversation.kind === "group") {
      this.deps.groups.publishToPeers(envelope);
      return;
    }
    if (others.length === 0) return;
    void this.deps.queue.push(conversationId, async () => {
      await publishToUsers({
        bus: this.deps.bus,
        routes: this.deps.routes,
        userIds: others,
        envelope: (recipients) => ({ ...envelope, recipients }),
        exceptNodeId: this.deps.nodeId(),
        logger: this.deps.logger,
      });
    });
  }

  /** A relay from another node: dropped when late, else to this node's sockets of the members it names. */
  async onEnvelope(envelope: TypingEnvelope): Promise<void> {
    const age = Math.max(0, this.now() - envelope.at);
    if (age > EphemeralLimits.typingMaxRelayAgeMs) return;
    if (this.deps.connections.authenticatedCount === 0) return;
    const ttlMs = Math.max(0, EphemeralLimits.typingTtlMs - age);
    const frame: TypingServerFrame = { type: "typing", conversationId: envelope.conversationId, userId: envelope.userId, ttlMs };
    if (envelope.recipients !== undefined) {
      this.pushLocal(envelope.recipients.filter((r) => r !== envelope.userId), frame);
      return;
    }
    const group = await this.deps.members.get(envelope.conversationId, envelope.membershipSeq);
    // The typist must still be an active member here too (a removal may have reached this node first).
    if (group === null || !group.active.includes(envelope.userId)) return;
    this.pushLocal(group.active.filter((m) => m !== envelope.userId), frame);
  }

  private pushLocal(userIds: string[], frame: TypingServerFrame): void {
    for (const userId of userIds) {
      for (const conn of this.deps.connections.ofUser(userId)) conn.send(frame);
    }
  }
}
