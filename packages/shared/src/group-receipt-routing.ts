/**
 * Who hears of a group cursor move (core nodes and the gateway route the same way): a member's
 * client needs "k of n" only for the messages it sent, so a move of member M's cursor over
 * (from, to] goes to the authors of the messages in that range, and, when M's read cursor moved,
 * to M's own other devices (their unread counts follow). Cost per window: the moves times the
 * authors they passed, not the moves times every member (issue 10: O(members²) frames).
 */
import { NodeLimits, type RoutedCursor } from "./node-protocol";

/** One member's cursor moves of a window: from the stored values before its first move to after its last. */
export interface GroupCursorMove {
  userId: string;
  deliveredFrom: number;
  deliveredSeq: number;
  /** Equal to readSeq when the read cursor did not move. */
  readFrom: number;
  /** 0 when the read cursor did not move in the window. */
  readSeq: number;
}

export interface RoutingWindow {
  joinedSeq: number;
  leftSeq: number | null;
}

export interface GroupRoutingDeps {
  /** The distinct senders of user messages per (after, upTo] range (MessageStore.sendersIn). */
  sendersIn(ranges: Array<{ after: number; upTo: number }>): Promise<string[][]>;
  /** The member's window as the caller knows it (undefined: not a member). */
  windowOf(userId: string): RoutingWindow | undefined;
}

/** The moves with their recipients (active members only); moves that concern nobody are left out. */
export async function routeGroupCursorMoves(moves: readonly GroupCursorMove[], deps: GroupRoutingDeps): Promise<RoutedCursor[]> {
  // Per move, the indices of its ranges in `ranges`: delivered, then read.
  const ranges: Array<{ after: number; upTo: number }> = [];
  const rangesOf = moves.map((m) => {
    const own: number[] = [];
    // A read moves delivered too, never past the read range's end: (readFrom, readSeq] covers it.
    if (m.deliveredSeq > m.deliveredFrom) own.push(ranges.push({ after: m.deliveredFrom, upTo: m.deliveredSeq }) - 1);
    if (m.readSeq > m.readFrom) own.push(ranges.push({ after: m.readFrom, upTo: m.readSeq }) - 1);
    return own;
  });
  const senders: string[][] = [];
  for (let i = 0; i < ranges.length; i += NodeLimits.maxEnvelopeUsers) {
    senders.push(...(await deps.sendersIn(ranges.slice(i, i + NodeLimits.maxEnvelopeUsers))));
  }
  const routed: RoutedCursor[] = [];
  moves.forEach((m, i) => {
    const window = deps.windowOf(m.userId);
    if (!window) return;
    const to = new Set<string>();
    for (const r of rangesOf[i]!) for (const author of senders[r] ?? []) to.add(author.toLowerCase());
    to.delete(m.userId.toLowerCase());
    if (m.readSeq > m.readFrom) to.add(m.userId.toLowerCase());
    const active = [...to].filter((u) => deps.windowOf(u)?.leftSeq === null).slice(0, NodeLimits.maxEnvelopeUsers);
    if (active.length === 0) return;
    routed.push({ userId: m.userId, deliveredSeq: m.deliveredSeq, readSeq: m.readSeq, joinedSeq: window.joinedSeq, to: active });
  });
  return routed;
}

/** Serialized size budget of one `receipts.group` record (well under NodeLimits.maxEnvelopeChars). */
const CHUNK_CHARS = NodeLimits.maxEnvelopeChars / 4;

/** Splits routed cursors into `receipts.group` records that stay within the envelope limits. */
export function chunkRoutedCursors(cursors: readonly RoutedCursor[]): RoutedCursor[][] {
  const chunks: RoutedCursor[][] = [];
  let chunk: RoutedCursor[] = [];
  let chars = 0;
  for (const c of cursors) {
    // a cursor ≈ 130 characters of JSON, each recipient ≈ 40
    const size = 130 + 40 * c.to.length;
    if (chunk.length > 0 && (chars + size > CHUNK_CHARS || chunk.length >= NodeLimits.maxEnvelopeUsers)) {
      chunks.push(chunk);
      chunk = [];
      chars = 0;
    }
    chunk.push(c);
    chars += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/** Per recipient, the cursors addressed to it (what one `receipts` frame to its sockets carries). */
export function cursorsByRecipient(cursors: readonly RoutedCursor[]): Map<string, Array<Omit<RoutedCursor, "to">>> {
  const by = new Map<string, Array<Omit<RoutedCursor, "to">>>();
  for (const { to, ...cursor } of cursors) {
    for (const userId of to) {
      let list = by.get(userId);
      if (!list) by.set(userId, (list = []));
      list.push(cursor);
    }
  }
  return by;
}
