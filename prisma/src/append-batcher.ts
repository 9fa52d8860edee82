/**
 * Group commit of appends: the appends that arrive while a batch is being stored form the next
 * batch, written by ONE statement (one transaction, one commit, one fsync).
 *
 * Why a batch is safe, per row exactly as the single append was:
 * - ACTIVE membership (left_seq IS NULL) and the idempotency lookup are read per row; a row of a
 *   non-member gets FORBIDDEN alone, a committed (sender, clientMsgId) comes back as the stored
 *   row (duplicate: also to a sender who left since, it is its own message);
 * - the new rows of a conversation get seq = last_seq + their rank in the batch (call order),
 *   assigned by the UPDATE of the conversation row, under its row lock: gap-free and unique. An
 *   UPDATE that waited for another transaction (another core node) re-reads the latest last_seq
 *   (READ COMMITTED);
 * - membership is read from the statement's snapshot, but a membership change (the gateway's
 *   transaction, which holds the conversation row lock) may commit between that snapshot and our
 *   lock. Every such change moves conversations.membership_seq, and the lock returns the latest
 *   row version: when its membership_seq differs from the snapshot's, the conversation's rows are
 *   not written and run again in the next batch (a new snapshot), so no message is stored for a
 *   member removed before it, and every message stored is ordered before or after each change;
 * - the conversation rows are locked first, one by one in id order (the `locked` CTE: a nested
 *   loop over the sorted ids, each row locked by its key lookup), so two batches of two processes
 *   that share conversations wait for each other instead of deadlocking;
 * - a clientMsgId used twice in one batch is stored once: the later callers get the first one's
 *   outcome when their content is the same, or run in the next batch (and then get the stored row
 *   or IDEMPOTENCY_CONFLICT) when it is not;
 * - the race left (the same clientMsgId in two concurrent statements, each missing the other's
 *   row) ends in the unique (sender_id, client_msg_id) index: the statement aborts as a whole,
 *   bumps included (no gap), and runs again, then finds the winner. A deadlock victim (possible
 *   only inside that race, on the unique index's wait) is run again the same way.
 */
import { randomUUID } from "node:crypto";
import { AppError, ErrorCode } from "@dim/shared";
import type { AppendInput, AppendResult } from "./message-store.types";
import { toMessage, type Int8, type MessageRow, type StoreQuery } from "./message-row";
import { isDeadlock, isUniqueViolation } from "./pg-errors";
import { NaturalBatcher, type BatchOutcome } from "@dim/shared/async";
import { ACTIVE_MEMBER_IDS, directGate, gateError, notMember, SNAPSHOT_CTE } from "./append-sql";
import { sameMentions, type MentionsOf } from "./mentions-check";
import type { Message } from "@dim/shared";

/** Most appends in one statement. */
export const APPEND_BATCH_MAX = 256;
/** Runs of one batch when it loses a race on the unique index (or is a deadlock victim). */
const MAX_ATTEMPTS = 3;

/**
 * A batch of one (light load) as the single-row statement: the batch statement's extra steps
 * (ordinals, window, lock order) cost ~40 % more PostgreSQL CPU for one row. Same semantics; one
 * conversation row is locked, so there is no lock order to keep. `snap` is the statement
 * snapshot's view; the UPDATE's membership_seq test is re-checked on the latest row version when
 * it had to wait (its InitPlan keeps the snapshot's value), so a stale snapshot stores nothing.
 */
const APPEND_ONE_SQL = `
  WITH ${SNAPSHOT_CTE}, prior AS (
    SELECT id, conversation_id, seq, sender_id, client_msg_id, kind, body, system, mentions::text[] AS mentions, mentions_all, created_at
    FROM messages WHERE sender_id = $2::uuid AND client_msg_id = $3
  ), bumped AS (
    UPDATE conversations SET last_seq = last_seq + 1, updated_at = now()
    WHERE id = $1::uuid AND (SELECT ok FROM snap) AND (SELECT gate FROM snap) IS NULL AND NOT EXISTS (SELECT 1 FROM prior)
      AND membership_seq = (SELECT membership_seq FROM snap)
    RETURNING last_seq
  ), inserted AS (
    INSERT INTO messages (id, conversation_id, seq, sender_id, client_msg_id, kind, body)
    SELECT $4::uuid, $1::uuid, b.last_seq, $2::uuid, $3, $5::message_kind, $6 FROM bumped b
    RETURNING id, conversation_id, seq, sender_id, client_msg_id, kind, body, system, mentions::text[] AS mentions, mentions_all, created_at
  ), msg AS (
    SELECT *, false AS duplicate FROM inserted
    UNION ALL
    SELECT *, true AS duplicate FROM prior
  )
  SELECT 1::bigint AS ord, COALESCE(s.ok, false) AS member, s.gate,
         (COALESCE(s.ok, false) AND s.gate IS NULL AND x.id IS NULL) AS stale,
         COALESCE(x.duplicate, false) AS duplicate, x.id::text, x.conversation_id::text,
         x.seq, x.sender_id::text, x.client_msg_id, x.kind::text AS kind, x.body, x.system, x.mentions, x.mentions_all, x.created_at,
         s.membership_seq, s.conversation_kind,
         ${ACTIVE_MEMBER_IDS}
  FROM (SELECT 1) one LEFT JOIN snap s ON true LEFT JOIN msg x ON true`;

// Per-row reads are scalar or LATERAL subqueries so the plan is key lookups whatever the batch
// size (the store's pool runs generic plans: see createPgPool). `conv` is the snapshot's view of
// each conversation (membership_seq, active members); `locked` returns the latest row versions.
const APPEND_BATCH_SQL = `
  WITH input AS (
    SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::uuid[], $5::message_kind[], $6::text[])
      WITH ORDINALITY AS t(conversation_id, sender_id, client_msg_id, id, kind, body, ord)
  ), conv AS (
    SELECT d.conversation_id, c.membership_seq, c.conversation_kind, ARRAY(
      SELECT m.user_id::text FROM conversation_members m
      WHERE m.conversation_id = d.conversation_id AND m.left_seq IS NULL ORDER BY m.joined_at, m.user_id
    ) AS member_ids
    FROM (SELECT DISTINCT conversation_id FROM input) d
    CROSS JOIN LATERAL (SELECT membership_seq, kind::text AS conversation_kind FROM conversations WHERE id = d.conversation_id) c
  ), checked AS (
    SELECT i.*, (
      SELECT true FROM conversation_members m
      WHERE m.conversation_id = i.conversation_id AND m.user_id = i.sender_id AND m.left_seq IS NULL
    ) IS NOT NULL AS member, ${directGate("i.conversation_id", "i.sender_id")} AS gate
    FROM input i
  ), prior AS (
    SELECT c.ord, p.* FROM checked c CROSS JOIN LATERAL (
      SELECT id, conversation_id, seq, sender_id, client_msg_id, kind, body, system, mentions::text[] AS mentions, mentions_all, created_at FROM messages
      WHERE sender_id = c.sender_id AND client_msg_id = c.client_msg_id LIMIT 1
    ) p
  ), fresh AS (
    SELECT c.*, row_number() OVER (PARTITION BY c.conversation_id ORDER BY c.ord) AS rank
    FROM checked c WHERE c.member AND c.gate IS NULL AND NOT EXISTS (SELECT 1 FROM prior p WHERE p.ord = c.ord)
  ), locked AS (
    SELECT l.id, l.membership_seq, k.n FROM (
      SELECT conversation_id, count(*) AS n FROM fresh GROUP BY conversation_id ORDER BY conversation_id
    ) k CROSS JOIN LATERAL (
      SELECT id, membership_seq FROM conversations WHERE id = k.conversation_id FOR NO KEY UPDATE
    ) l
  ), bumped AS (
    UPDATE conversations c SET last_seq = c.last_seq + l.n, updated_at = now()
    FROM locked l JOIN conv s ON s.conversation_id = l.id
    WHERE c.id = l.id AND l.membership_seq = s.membership_seq
    RETURNING c.id, c.last_seq - l.n AS base
  ), inserted AS (
    INSERT INTO messages (id, conversation_id, seq, sender_id, client_msg_id, kind, body)
    SELECT f.id, f.conversation_id, b.base + f.rank, f.sender_id, f.client_msg_id, f.kind, f.body
    FROM fresh f JOIN bumped b ON b.id = f.conversation_id
    RETURNING id, conversation_id, seq, sender_id, client_msg_id, kind, body, system, created_at
  )
  SELECT c.ord, c.member, c.gate, (c.member AND c.gate IS NULL AND p.ord IS NULL AND x.id IS NULL) AS stale, p.ord IS NOT NULL AS duplicate,
         COALESCE(x.id, p.id)::text AS id, COALESCE(x.conversation_id, p.conversation_id)::text AS conversation_id,
         COALESCE(x.seq, p.seq) AS seq, COALESCE(x.sender_id, p.sender_id)::text AS sender_id,
         COALESCE(x.client_msg_id, p.client_msg_id) AS client_msg_id, COALESCE(x.kind, p.kind)::text AS kind,
         COALESCE(x.body, p.body) AS body, COALESCE(x.system, p.system) AS system,
         p.mentions, p.mentions_all,
         COALESCE(x.created_at, p.created_at) AS created_at, s.membership_seq, s.conversation_kind, s.member_ids
  FROM checked c
  LEFT JOIN prior p ON p.ord = c.ord
  LEFT JOIN inserted x ON x.sender_id = c.sender_id AND x.client_msg_id = c.client_msg_id
  LEFT JOIN conv s ON s.conversation_id = c.conversation_id
  ORDER BY c.ord`;

type AppendRow = { [K in keyof MessageRow]: MessageRow[K] | null } & {
  ord: Int8;
  /** The sender is an active member (as of the statement's snapshot). */
  member: boolean;
  /** Why the sender may not write to this direct conversation (append-sql.ts directGate), or null. */
  gate: string | null;
  /** A member's new row that was not written: membership changed after the snapshot. */
  stale: boolean;
  duplicate: boolean;
  membership_seq: Int8 | null;
  conversation_kind: string | null;
  member_ids: string[] | null;
};

const keyOf = (input: AppendInput): string => `${input.senderId}\u0000${input.clientMsgId}`;

/** Texts come here without mentions (those go through append-event.ts): a stored one with mentions differs. */
const sameContent = (a: AppendInput, b: Pick<Message, "conversationId" | "kind" | "body"> & MentionsOf): boolean =>
  a.conversationId === b.conversationId && a.kind === b.kind && a.body === b.body && sameMentions(a, b);

/** Told after each batch: how many appends it held and how long storing them took. */
export type AppendBatchObserver = (size: number, seconds: number) => void;

/** Appends (already validated) through group commit; one batch in flight per instance. */
export class AppendBatcher {
  private readonly batcher: NaturalBatcher<AppendInput, AppendResult>;

  constructor(
    private readonly query: StoreQuery,
    observe?: AppendBatchObserver,
  ) {
    const store = observe
      ? async (items: AppendInput[]) => {
          const start = performance.now();
          try {
            return await this.store(items);
          } finally {
            observe(items.length, (performance.now() - start) / 1000);
          }
        }
      : (items: AppendInput[]) => this.store(items);
    this.batcher = new NaturalBatcher(store, { maxItems: APPEND_BATCH_MAX });
  }

  append(input: AppendInput): Promise<AppendResult> {
    return this.batcher.submit(input);
  }

  private async store(items: AppendInput[]): Promise<Array<BatchOutcome<AppendResult>>> {
    // The first use of a (sender, clientMsgId) in the batch is written; later ones follow it.
    const leaders: AppendInput[] = [];
    const leaderOf = new Map<string, number>();
    const plan = items.map((input): { leader: number } | { follows: number } | "requeue" => {
      const first = leaderOf.get(keyOf(input));
      if (first === undefined) {
        leaderOf.set(keyOf(input), leaders.length);
        leaders.push(input);
        return { leader: leaders.length - 1 };
      }
      return sameContent(input, leaders[first]!) ? { follows: first } : "requeue";
    });

    const rows = await this.run(leaders);
    const stored = leaders.map((input, i) => outcomeOf(input, rows[i]));
    return plan.map((p) => {
      if (p === "requeue") return { requeue: true };
      if ("leader" in p) return stored[p.leader]!;
      const o = stored[p.follows]!;
      return "value" in o ? { value: { ...o.value, duplicate: true } } : o;
    });
  }

  /** The batch's rows, one per input in order; runs the statement again after a lost race. */
  private async run(inputs: AppendInput[]): Promise<AppendRow[]> {
    // One row of parameters per input; the batch statement takes them column by column (arrays).
    const params = inputs.map((i) => [i.conversationId, i.senderId, i.clientMsgId, randomUUID(), i.kind, i.body]);
    const [name, sql, values] =
      params.length === 1
        ? ["append_one", APPEND_ONE_SQL, params[0]!]
        : ["append_batch", APPEND_BATCH_SQL, params[0]!.map((_, c) => params.map((row) => row[c]))];
    for (let attempt = 1; ; attempt++) {
      try {
        const rows = await this.query<AppendRow>(name, sql, values);
        if (rows.length !== inputs.length || rows.some((r, i) => Number(r.ord) !== i + 1)) {
          throw new AppError(ErrorCode.Internal, "append batch returned rows out of step with its input");
        }
        return rows;
      } catch (err) {
        const retryable = isUniqueViolation(err) || isDeadlock(err);
        if (retryable && attempt < MAX_ATTEMPTS) continue;
        if (retryable) throw new AppError(ErrorCode.Internal, "could not store the message, retry");
        throw err;
      }
    }
  }
}

function outcomeOf(input: AppendInput, row: AppendRow | undefined): BatchOutcome<AppendResult> {
  if (row?.stale) return { requeue: true };
  // A duplicate is the sender's own stored message, returned even when the sender has left since.
  const ownEarlier = row?.duplicate === true && row.conversation_id === input.conversationId;
  if (!row || (!row.member && !ownEarlier)) return { error: notMember() };
  const gated = ownEarlier ? null : gateError(row.gate);
  if (gated) return { error: gated };
  if (row.id === null) return { error: notMember() };
  const message = toMessage(row as MessageRow);
  if (row.duplicate && !sameContent(input, message)) {
    return {
      error: new AppError(
        ErrorCode.IdempotencyConflict,
        "this clientMsgId was already used for a different message; use a new clientMsgId for new content",
        { clientMsgId: input.clientMsgId },
      ),
    };
  }
  return {
    value: {
      message,
      duplicate: row.duplicate,
      conversationKind: row.conversation_kind === "group" ? "group" : "direct",
      memberIds: row.member_ids ?? [],
      membershipSeq: Number(row.membership_seq ?? 0),
    },
  };
}
