/**
 * Group receipts, coalesced: the cursor moves (ack / read) of a group's members on this node are
 * collected per conversation for `coalesceMs`, then go out as ONE `receipts.group` record per
 * live node and ONE `receipts` frame per socket of an active member, here and on every node
 * that receives the record. So a 1,000-member group that all read a message costs O(members)
 * frames per window, not O(members²).
 *
 * The cursors are watermarks (clients keep the highest they saw): `deliveredSeq` is at least the
 * delivered cursor (a read moves it too), `readSeq` is 0 when only delivery moved in the window.
 */
import type { MemberCursor, NodeEnvelopeOf } from "@dim/shared";
import { NodeLimits } from "@dim/shared";
import type { Logger } from "@dim/shared/node";
import type { GroupFanout } from "./group-fanout";

export interface GroupReceiptsDeps {
  fanout: Pick<GroupFanout, "publishToPeers" | "pushToActiveMembers">;
  coalesceMs: number;
  logger: Logger;
}

interface Window {
  cursors: Map<string, { deliveredSeq: number; readSeq: number }>;
  timer: NodeJS.Timeout | undefined;
}

export class GroupReceipts {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly deps: GroupReceiptsDeps) {}

  /** `userId`'s stored cursor in the group moved to `value`; told to the members at the window's end. */
  add(conversationId: string, userId: string, kind: "delivered" | "read", value: number): void {
    let window = this.windows.get(conversationId);
    if (!window) {
      window = { cursors: new Map(), timer: undefined };
      this.windows.set(conversationId, window);
      window.timer = setTimeout(() => this.flush(conversationId), this.deps.coalesceMs);
      window.timer.unref();
    }
    const cursor = window.cursors.get(userId) ?? { deliveredSeq: 0, readSeq: 0 };
    cursor.deliveredSeq = Math.max(cursor.deliveredSeq, value);
    if (kind === "read") cursor.readSeq = Math.max(cursor.readSeq, value);
    window.cursors.set(userId, cursor);
  }

  /** Sends every open window now (the node is stopping). */
  flushAll(): void {
    for (const conversationId of [...this.windows.keys()]) this.flush(conversationId);
  }

  /** A `receipts.group` from another node: one `receipts` frame per local member socket. */
  async onEnvelope(envelope: NodeEnvelopeOf<"receipts.group">): Promise<void> {
    await this.deps.fanout.pushToActiveMembers(envelope.conversationId, {
      type: "receipts",
      conversationId: envelope.conversationId,
      cursors: envelope.cursors,
    });
  }

  private flush(conversationId: string): void {
    const window = this.windows.get(conversationId);
    if (!window) return;
    this.windows.delete(conversationId);
    clearTimeout(window.timer);
    const all: MemberCursor[] = [...window.cursors].map(([userId, c]) => ({ userId, ...c }));
    for (let i = 0; i < all.length; i += NodeLimits.maxEnvelopeUsers) {
      const cursors = all.slice(i, i + NodeLimits.maxEnvelopeUsers);
      this.deps.fanout.publishToPeers({ type: "receipts.group", conversationId, cursors });
      this.deps.fanout.pushToActiveMembers(conversationId, { type: "receipts", conversationId, cursors }).catch((err: unknown) => {
        this.deps.logger.warn({ err, conversationId }, "group receipts not pushed here; members will read them from conversations.list");
      });
    }
  }
}
