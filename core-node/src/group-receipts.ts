/**
 * Group receipts, coalesced and addressed: the cursor moves (ack / read) of a group's members on
 * this node are collected per conversation for `coalesceMs`; at the window's end each move is
 * addressed to the users it concerns (the authors of the messages it passed, and the mover on a
 * read: packages/shared group-receipt-routing.ts, one `sendersIn` query per window), then goes
 * out as `receipts.group` records (one per live node) and, here and on every node receiving
 * them, as ONE `receipts` frame per socket of an addressed user, with only its cursors. So a
 * 1,000-member group where everyone acks costs O(members × authors) cursor entries per window,
 * not O(members²).
 *
 * The cursors are watermarks (clients keep the highest they saw): `deliveredSeq` is at least the
 * delivered cursor (a read moves it too), `readSeq` is 0 when only delivery moved in the window.
 */
import type { NodeEnvelopeOf, RoutedCursor } from "@dim/shared";
import { chunkRoutedCursors, cursorsByRecipient, routeGroupCursorMoves, type GroupCursorMove } from "@dim/shared";
import type { Logger } from "@dim/shared/node";
import type { MessageStore } from "@dim/db";
import type { GroupFanout } from "./group-fanout";
import type { GroupMembers } from "./group-members";
import type { LocalConnections } from "./local-connections";

export interface GroupReceiptsDeps {
  fanout: Pick<GroupFanout, "publishToPeers">;
  members: Pick<GroupMembers, "get">;
  store: Pick<MessageStore, "sendersIn">;
  connections: Pick<LocalConnections, "ofUser" | "authenticatedCount">;
  coalesceMs: number;
  logger: Logger;
}

interface Window {
  moves: Map<string, GroupCursorMove>;
  timer: NodeJS.Timeout | undefined;
}

export class GroupReceipts {
  private readonly windows = new Map<string, Window>();
  /** Flushes under way (stop waits for them). */
  private readonly flushing = new Set<Promise<void>>();

  constructor(private readonly deps: GroupReceiptsDeps) {}

  /**
   * `userId`'s stored cursor of `kind` in the group moved from `previous` to `value`; told to
   * whom it concerns at the window's end.
   */
  add(conversationId: string, userId: string, kind: "delivered" | "read", value: number, previous: number): void {
    let window = this.windows.get(conversationId);
    if (!window) {
      window = { moves: new Map(), timer: undefined };
      this.windows.set(conversationId, window);
      window.timer = setTimeout(() => this.flush(conversationId), this.deps.coalesceMs);
      window.timer.unref();
    }
    let move = window.moves.get(userId);
    if (!move) {
      move = { userId, deliveredFrom: Number.MAX_SAFE_INTEGER, deliveredSeq: 0, readFrom: Number.MAX_SAFE_INTEGER, readSeq: 0 };
      window.moves.set(userId, move);
    }
    // A read moves delivered too (its range covers delivered's), so it widens the read range only.
    if (kind === "read") {
      move.readFrom = Math.min(move.readFrom, previous);
      move.readSeq = Math.max(move.readSeq, value);
    } else {
      move.deliveredFrom = Math.min(move.deliveredFrom, previous);
    }
    move.deliveredSeq = Math.max(move.deliveredSeq, value);
  }

  /** Sends every open window now and waits for the sends under way (the node is stopping). */
  async flushAll(): Promise<void> {
    for (const conversationId of [...this.windows.keys()]) this.flush(conversationId);
    await Promise.all([...this.flushing]);
  }

  /** A `receipts.group` from another node (or the gateway): to the addressed users' sockets here. */
  async onEnvelope(envelope: NodeEnvelopeOf<"receipts.group">): Promise<void> {
    await this.pushLocal(envelope.conversationId, envelope.cursors);
  }

  private flush(conversationId: string): void {
    const window = this.windows.get(conversationId);
    if (!window) return;
    this.windows.delete(conversationId);
    clearTimeout(window.timer);
    const moves = [...window.moves.values()].map((m) => ({
      ...m,
      // No delivered-only move: the read range covers it. No read move: readFrom = readSeq = 0.
      deliveredFrom: Math.min(m.deliveredFrom, m.deliveredSeq),
      readFrom: Math.min(m.readFrom, m.readSeq),
    }));
    const done = this.route(conversationId, moves)
      .catch((err: unknown) => {
        this.deps.logger.warn({ err, conversationId }, "group receipts not sent; authors will read them from groups.members / conversations.list");
      })
      .finally(() => this.flushing.delete(done));
    this.flushing.add(done);
  }

  private async route(conversationId: string, moves: GroupCursorMove[]): Promise<void> {
    let group = await this.deps.members.get(conversationId);
    // A member added after the cached list was read: read it afresh (its joinedSeq matters).
    if (group && moves.some((m) => !group!.members.has(m.userId))) group = await this.deps.members.get(conversationId, group.membershipSeq + 1);
    if (group === null) return;
    const members = group.members;
    const routed = await routeGroupCursorMoves(moves, {
      sendersIn: (ranges) => this.deps.store.sendersIn(conversationId, ranges),
      windowOf: (userId) => members.get(userId),
    });
    for (const cursors of chunkRoutedCursors(routed)) {
      this.deps.fanout.publishToPeers({ type: "receipts.group", conversationId, cursors });
      await this.pushLocal(conversationId, cursors);
    }
  }

  /** One `receipts` frame per local socket of each addressed user who is an active member here. */
  private async pushLocal(conversationId: string, cursors: readonly RoutedCursor[]): Promise<void> {
    if (this.deps.connections.authenticatedCount === 0) return;
    const group = await this.deps.members.get(conversationId);
    if (group === null) return;
    for (const [userId, own] of cursorsByRecipient(cursors)) {
      if (group.members.get(userId)?.leftSeq !== null) continue;
      const conns = [...this.deps.connections.ofUser(userId)];
      if (conns.length === 0) continue;
      const frame = { type: "receipts", conversationId, cursors: own } as const;
      for (const conn of conns) conn.send(frame);
    }
  }
}
