/**
 * Group commit of cursor moves (`ack` → delivered, `read` → read): the moves that arrive while a
 * batch is being written form the next batch, coalesced per (conversation, user) to the highest
 * seq (and the highest read seq), and written by ONE statement.
 *
 * Semantics are those of one move at a time: a cursor never moves back (GREATEST, and the UPDATE
 * re-checks its WHERE against the latest row version), it is capped at the conversation's
 * last_seq and at the member's left_seq (a former member's window ends there), read also moves delivered, and a non-member gets null. Each caller gets the cursor's
 * value after the batch (≥ what it asked for, capped) and whether its own move moved it (see
 * Replay: a move that asks for nothing new gets moved: false). Rows that move are locked first in key
 * order, so two processes' batches never deadlock; rows that would not move are not written.
 */
import type { CursorAdvance, MessageStore } from "./message-store.types";
import type { Int8, StoreQuery } from "./message-row";
import { isDeadlock } from "./pg-errors";
import { NaturalBatcher, type BatchOutcome } from "@dim/shared/async";

/** Most cursor moves in one batch (before coalescing). */
export const CURSOR_BATCH_MAX = 512;
/** Runs of one batch when it is a deadlock victim (not expected: rows are locked in key order). */
const MAX_ATTEMPTS = 2;

export interface CursorMove {
  conversationId: string;
  userId: string;
  kind: Parameters<MessageStore["advanceCursor"]>[2];
  seq: number;
}

/** A batch of one (conversation, user) as a single-row statement (cheaper for PostgreSQL, same semantics). */
const CURSOR_ONE_SQL = `
  WITH target AS (
    SELECT m.conversation_id, m.user_id,
           LEAST($3::bigint, c.last_seq, m.left_seq) AS d, LEAST($4::bigint, c.last_seq, m.left_seq) AS r
    FROM conversation_members m JOIN conversations c ON c.id = m.conversation_id
    WHERE m.conversation_id = $1::uuid AND m.user_id = $2::uuid
  ), moved AS (
    UPDATE conversation_members m SET
      delivered_seq = GREATEST(m.delivered_seq, t.d),
      read_seq = GREATEST(m.read_seq, t.r)
    FROM target t
    WHERE m.conversation_id = t.conversation_id AND m.user_id = t.user_id
      AND (t.d > m.delivered_seq OR t.r > m.read_seq)
    RETURNING m.conversation_id, m.user_id, new.delivered_seq, new.read_seq,
              old.delivered_seq AS old_delivered_seq, old.read_seq AS old_read_seq
  )
  SELECT conversation_id::text, user_id::text, delivered_seq, read_seq, old_delivered_seq, old_read_seq FROM moved
  UNION ALL
  SELECT m.conversation_id::text, m.user_id::text, m.delivered_seq, m.read_seq, m.delivered_seq, m.read_seq FROM conversation_members m
  WHERE m.conversation_id = $1::uuid AND m.user_id = $2::uuid AND NOT EXISTS (SELECT 1 FROM moved)`;

// Key lookups per row (LATERAL), as in append-batcher.ts; `locked` takes the row locks one by one
// in key order.
const CURSOR_BATCH_SQL = `
  WITH target AS (
    SELECT i.conversation_id, i.user_id, m.delivered_seq, m.read_seq,
           LEAST(i.delivered, c.last_seq, m.left_seq) AS d, LEAST(i.read, c.last_seq, m.left_seq) AS r
    FROM unnest($1::uuid[], $2::uuid[], $3::bigint[], $4::bigint[]) AS i(conversation_id, user_id, delivered, read)
    CROSS JOIN LATERAL (
      SELECT delivered_seq, read_seq, left_seq FROM conversation_members
      WHERE conversation_id = i.conversation_id AND user_id = i.user_id LIMIT 1
    ) m
    CROSS JOIN LATERAL (SELECT last_seq FROM conversations WHERE id = i.conversation_id LIMIT 1) c
  ), locked AS (
    SELECT l.conversation_id, l.user_id, k.d, k.r FROM (
      SELECT conversation_id, user_id, d, r FROM target
      WHERE d > delivered_seq OR r > read_seq ORDER BY conversation_id, user_id
    ) k CROSS JOIN LATERAL (
      SELECT conversation_id, user_id FROM conversation_members
      WHERE conversation_id = k.conversation_id AND user_id = k.user_id FOR NO KEY UPDATE
    ) l
  ), moved AS (
    UPDATE conversation_members m SET
      delivered_seq = GREATEST(m.delivered_seq, l.d),
      read_seq = GREATEST(m.read_seq, l.r)
    FROM locked l
    WHERE m.conversation_id = l.conversation_id AND m.user_id = l.user_id
      AND (l.d > m.delivered_seq OR l.r > m.read_seq)
    RETURNING m.conversation_id, m.user_id, new.delivered_seq, new.read_seq,
              old.delivered_seq AS old_delivered_seq, old.read_seq AS old_read_seq
  )
  SELECT conversation_id::text, user_id::text, delivered_seq, read_seq, old_delivered_seq, old_read_seq FROM moved
  UNION ALL
  SELECT t.conversation_id::text, t.user_id::text, t.delivered_seq, t.read_seq, t.delivered_seq, t.read_seq FROM target t
  WHERE NOT EXISTS (SELECT 1 FROM moved x WHERE x.conversation_id = t.conversation_id AND x.user_id = t.user_id)`;

interface CursorRow {
  conversation_id: string;
  user_id: string;
  delivered_seq: Int8;
  read_seq: Int8;
  /** The row's values just before this statement's UPDATE (RETURNING old.*, PostgreSQL 18+). */
  old_delivered_seq: Int8;
  old_read_seq: Int8;
}

/** UUIDs are compared lower-cased: PostgreSQL returns them so. */
const keyOf = (conversationId: string, userId: string): string => `${conversationId.toLowerCase()}\u0000${userId.toLowerCase()}`;

/** Cursor moves (already validated) through group commit; one batch in flight per instance. */
export class CursorBatcher {
  private readonly batcher: NaturalBatcher<CursorMove, CursorAdvance | null>;

  /** @param collectMs how long an idle batcher waits for more moves before writing (0: at once). */
  constructor(
    private readonly query: StoreQuery,
    collectMs = 0,
  ) {
    this.batcher = new NaturalBatcher((moves) => this.write(moves), { maxItems: CURSOR_BATCH_MAX, collectMs });
  }

  advance(move: CursorMove): Promise<CursorAdvance | null> {
    return this.batcher.submit(move);
  }

  private async write(moves: CursorMove[]): Promise<Array<BatchOutcome<CursorAdvance | null>>> {
    // Per (conversation, user): delivered to the highest seq of any move (read moves it too),
    // read to the highest seq of a read (-1: no read in the batch, never above a stored cursor).
    const targets = new Map<string, { conversationId: string; userId: string; delivered: number; read: number }>();
    for (const m of moves) {
      const key = keyOf(m.conversationId, m.userId);
      const t = targets.get(key) ?? { conversationId: m.conversationId, userId: m.userId, delivered: 0, read: -1 };
      t.delivered = Math.max(t.delivered, m.seq);
      if (m.kind === "read") t.read = Math.max(t.read, m.seq);
      targets.set(key, t);
    }
    const params = [...targets.values()].map((t) => [t.conversationId, t.userId, t.delivered, t.read]);
    const [name, sql, values] =
      params.length === 1
        ? ["advance_cursor_one", CURSOR_ONE_SQL, params[0]!]
        : ["advance_cursor_batch", CURSOR_BATCH_SQL, params[0]!.map((_, c) => params.map((row) => row[c]))];
    let rows: CursorRow[];
    for (let attempt = 1; ; attempt++) {
      try {
        rows = await this.query<CursorRow>(name, sql, values);
        break;
      } catch (err) {
        if (isDeadlock(err) && attempt < MAX_ATTEMPTS) continue;
        throw err;
      }
    }
    const byKey = new Map(rows.map((r) => [keyOf(r.conversation_id, r.user_id), new Replay(r)]));
    return moves.map((m) => {
      const replay = byKey.get(keyOf(m.conversationId, m.userId));
      return { value: replay ? replay.apply(m) : null };
    });
  }
}

/**
 * Says which moves of a coalesced batch moved a cursor, as if they had been applied one at a
 * time in call order from the row's value before the UPDATE: `read 138` then `ack 138` moves
 * delivered once (by the read), so the ack reports moved: false. A move's capped seq is
 * min(seq, the batch's new value) (the cap, min(last_seq, left_seq), is the same for all).
 */
class Replay {
  private delivered: number;
  private read: number;
  private readonly newDelivered: number;
  private readonly newRead: number;

  constructor(row: CursorRow) {
    this.delivered = Number(row.old_delivered_seq);
    this.read = Number(row.old_read_seq);
    this.newDelivered = Number(row.delivered_seq);
    this.newRead = Number(row.read_seq);
  }

  apply(m: CursorMove): CursorAdvance {
    const d = Math.min(m.seq, this.newDelivered);
    const previousDelivered = this.delivered;
    const deliveredMoved = d > this.delivered;
    if (deliveredMoved) this.delivered = d;
    if (m.kind === "delivered") return { value: this.newDelivered, moved: deliveredMoved, previous: previousDelivered };
    const r = Math.min(m.seq, this.newRead);
    const previousRead = this.read;
    const readMoved = r > this.read;
    if (readMoved) this.read = r;
    return { value: this.newRead, moved: readMoved, previous: previousRead };
  }
}
