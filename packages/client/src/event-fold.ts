/**
 * Folding the events of a conversation (edit, delete, reaction) into the messages they change, as
 * a pure function of the rows the client holds: the result does not depend on the order in which
 * rows arrived (pushes, syncs, history pages) nor on how often, so an event before its target, or
 * twice, is the same. Rules, applied in seq order over the target as first received (which may
 * already be folded by the server, for rows paged in after their events):
 * - edit: the highest-seq edit with a text sets body and `editedAt` (an edit the server cleared —
 *   superseded or its message deleted — has body "" and sets nothing);
 * - delete: a tombstone (body "", no attachment, no reply, no reactions), final;
 * - reaction: per user, the highest-seq event wins: its emoji, or none when its body is "";
 * - "delete for me": seqs in `hidden` are not shown at all.
 */
import { isEventKind, type Message, type ReactionSummary } from "@dim/shared";

export interface FoldedMessage {
  message: Message;
  body: string;
  editedAt: string | null;
  deleted: boolean;
  reactions: ReactionSummary[];
  /** The latest edit's mentions (a text's own when never edited); [] when none. */
  mentions: string[];
  mentionsAll: boolean;
}

interface Pending {
  edit?: { seq: number; body: string; at: string; mentions: string[]; mentionsAll: boolean };
  deleteAt?: string;
  /** userId → { seq, emoji ("" = removed) } */
  reactions: Map<string, { seq: number; emoji: string }>;
}

/** The visible messages (events and hidden ones left out), ascending, with their folded state. */
export function foldMessages(messages: readonly Message[], hidden: ReadonlySet<number> = new Set()): FoldedMessage[] {
  const sorted = [...messages].sort((a, b) => a.seq - b.seq);
  const pending = new Map<number, Pending>();
  const of = (seq: number): Pending => {
    let p = pending.get(seq);
    if (!p) pending.set(seq, (p = { reactions: new Map() }));
    return p;
  };
  for (const m of sorted) {
    if (!isEventKind(m.kind) || m.targetSeq === undefined) continue;
    const p = of(m.targetSeq);
    if (m.kind === "edit" && m.body !== "") p.edit = { seq: m.seq, body: m.body, at: m.createdAt, mentions: m.mentions ?? [], mentionsAll: m.mentionsAll === true };
    else if (m.kind === "delete") p.deleteAt ??= m.createdAt;
    else if (m.kind === "reaction") p.reactions.set(m.senderId, { seq: m.seq, emoji: m.body });
  }
  const out: FoldedMessage[] = [];
  for (const m of sorted) {
    if (isEventKind(m.kind) || hidden.has(m.seq) || m.hidden) continue;
    out.push(foldOne(m, pending.get(m.seq)));
  }
  return out;
}

function foldOne(m: Message, p: Pending | undefined): FoldedMessage {
  const deletedAt = m.deletedAt ?? p?.deleteAt;
  if (deletedAt !== undefined) return { message: m, body: "", editedAt: null, deleted: true, reactions: [], mentions: [], mentionsAll: false };
  const edit = p?.edit;
  return {
    message: m,
    body: edit ? edit.body : m.body,
    editedAt: edit ? (m.editedAt && m.editedAt > edit.at ? m.editedAt : edit.at) : (m.editedAt ?? null),
    deleted: false,
    reactions: reactionsOf(m.reactions ?? [], p?.reactions),
    mentions: edit ? edit.mentions : (m.mentions ?? []),
    mentionsAll: edit ? edit.mentionsAll : m.mentionsAll === true,
  };
}

/** The server's aggregate (as of the row), then the held events, per user the latest. */
function reactionsOf(base: readonly ReactionSummary[], events: Map<string, { seq: number; emoji: string }> | undefined): ReactionSummary[] {
  if (!events || events.size === 0) return base.map((r) => ({ ...r, userIds: [...r.userIds] }));
  const byUser = new Map<string, string>();
  for (const r of base) for (const u of r.userIds) byUser.set(u, r.emoji);
  for (const [user, e] of [...events].sort((a, b) => a[1].seq - b[1].seq)) {
    byUser.delete(user); // a re-reaction moves the user to the end of its emoji's list
    if (e.emoji !== "") byUser.set(user, e.emoji);
  }
  const groups = new Map<string, string[]>();
  for (const [user, emoji] of byUser) groups.set(emoji, [...(groups.get(emoji) ?? []), user]);
  // most used first; ties in order of first appearance (Map order)
  return [...groups]
    .map(([emoji, userIds], i) => ({ emoji, count: userIds.length, userIds, i }))
    .sort((a, b) => b.count - a.count || a.i - b.i)
    .map(({ emoji, count, userIds }) => ({ emoji, count, userIds }));
}

/** The user's own reaction in a folded message, or null. */
export function myReaction(reactions: readonly ReactionSummary[], userId: string | null): string | null {
  if (userId === null) return null;
  return reactions.find((r) => r.userIds.includes(userId))?.emoji ?? null;
}
