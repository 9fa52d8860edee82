/**
 * The chaos suite's checker, in the style of Jepsen's total-queue checker: a pure function of a
 * recorded history (what clients created, what the server acknowledged, what clients received and
 * held at the end, PostgreSQL's rows). Per conversation it finds
 *
 * - lost: acknowledged (a seq was assigned) but not in PostgreSQL with that seq;
 * - duplicated: one clientMsgId stored twice or acknowledged with two seqs, a `message` event for
 *   the same seq twice to one client, or one clientMsgId held twice;
 * - reordered: within one sender's connection (its epoch at creation), messages it never had to
 *   retry by hand got seqs out of their creation order;
 * - gaps: PostgreSQL's seqs, or a client's held seqs, are not exactly 1..n;
 * - undelivered: stored, but some member's client did not hold it at the end;
 *
 * and the times to reconnect (a client's first loss of its socket after the fault until its next
 * welcome) and to resume (the fault until a client's first acknowledgement, and first delivery, of
 * a message created after the fault). `ok` is false on any loss or duplicate (lost, duplicated,
 * gap, undelivered: a gap or an undelivered message is a loss as a reader sees it); a reorder is
 * reported apart (`ordered`): the protocol re-sends a message whose ACK is late (its ACK clock),
 * and a re-send may be stored after messages created later on the same connection.
 */
import type { History } from "./history";

export type AnomalyKind = "lost" | "duplicated" | "reordered" | "gap" | "undelivered";

export interface Anomaly {
  kind: AnomalyKind;
  conv: string;
  detail: string;
}

export interface Spread {
  /** How many samples (clients). */
  n: number;
  p50: number | null;
  max: number | null;
}

export interface CheckResult {
  created: number;
  acked: number;
  stored: number;
  /** Still unconfirmed at the end (never acknowledged, so never counted lost). */
  unsettled: number;
  counts: Record<AnomalyKind, number>;
  anomalies: Anomaly[];
  reconnectMs: Spread;
  resumeAckMs: Spread;
  resumeDeliveryMs: Spread;
  /** No loss and no duplicate of any kind. */
  ok: boolean;
  /** No reorder within a sender's connection. */
  ordered: boolean;
}

const KINDS: AnomalyKind[] = ["lost", "duplicated", "reordered", "gap", "undelivered"];

export function spread(samples: number[]): Spread {
  if (samples.length === 0) return { n: 0, p50: null, max: null };
  const sorted = [...samples].sort((a, b) => a - b);
  return { n: sorted.length, p50: sorted[Math.floor((sorted.length - 1) / 2)]!, max: sorted.at(-1)! };
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export function check(h: History): CheckResult {
  const anomalies: Anomaly[] = [];
  const add = (kind: AnomalyKind, conv: string, detail: string) => anomalies.push({ kind, conv, detail });

  // PostgreSQL: gap-free seqs, each clientMsgId once.
  const rowsByConv = new Map<string, History["stored"]>();
  for (const r of h.stored) push(rowsByConv, r.conv, r);
  const storedById = new Map<string, { conv: string; seq: number }>();
  for (const [conv, rows] of rowsByConv) {
    const seqs = rows.map((r) => r.seq).sort((a, b) => a - b);
    seqs.forEach((seq, i) => {
      if (seq !== i + 1) add("gap", conv, `PostgreSQL: seq ${seq} at position ${i + 1}`);
    });
    for (const r of rows) {
      if (r.clientMsgId === null) continue;
      const seen = storedById.get(r.clientMsgId);
      if (seen) add("duplicated", conv, `${r.clientMsgId} stored twice (seq ${seen.seq} and ${r.seq})`);
      else storedById.set(r.clientMsgId, { conv, seq: r.seq });
    }
  }

  // Acknowledged ⇒ stored with the seq the sender was told; one seq per clientMsgId.
  const ackSeq = new Map<string, number>();
  for (const a of h.acks) {
    const before = ackSeq.get(a.clientMsgId);
    if (before !== undefined && before !== a.seq) add("duplicated", a.conv, `${a.clientMsgId} acknowledged as seq ${before} and ${a.seq}`);
    if (before !== undefined) continue;
    ackSeq.set(a.clientMsgId, a.seq);
    const row = storedById.get(a.clientMsgId);
    if (!row) add("lost", a.conv, `${a.user}'s ${a.clientMsgId} acknowledged as seq ${a.seq}, not in PostgreSQL`);
    else if (row.seq !== a.seq) add("lost", a.conv, `${a.clientMsgId} acknowledged as seq ${a.seq}, stored as seq ${row.seq}`);
  }

  // Within one connection of one sender, creation order = seq order (hand-retried ones excepted).
  const byConn = new Map<string, number[]>();
  for (const s of h.sends) {
    const seq = ackSeq.get(s.clientMsgId);
    if (s.retried || seq === undefined) continue;
    push(byConn, `${s.user}\u0000${s.conv}\u0000${s.conn}`, seq);
  }
  for (const [key, seqs] of byConn) {
    const [user, conv, conn] = key.split("\u0000") as [string, string, string];
    for (let i = 1; i < seqs.length; i++) {
      if (seqs[i]! <= seqs[i - 1]!) add("reordered", conv, `${user} (connection ${conn}): seq ${seqs[i]} created after seq ${seqs[i - 1]}`);
    }
  }

  // Each client learns each seq once.
  const recvCount = new Map<string, number>();
  for (const r of h.recvs) {
    const key = `${r.user}\u0000${r.conv}\u0000${r.seq}`;
    const n = (recvCount.get(key) ?? 0) + 1;
    recvCount.set(key, n);
    if (n === 2) add("duplicated", r.conv, `${r.user} was given seq ${r.seq} twice`);
  }

  // What each member's client held at the end: 1..n, nothing twice, every stored row.
  const held = new Map(h.held.map((x) => [`${x.user}\u0000${x.conv}`, x]));
  for (const [conv, members] of Object.entries(h.members)) {
    const rows = rowsByConv.get(conv) ?? [];
    for (const user of members) {
      const view = held.get(`${user}\u0000${conv}`);
      const seqs = new Set<number>();
      const ids = new Set<string>();
      for (const [seq, id] of view?.messages ?? []) {
        if (seqs.has(seq)) add("duplicated", conv, `${user} holds seq ${seq} twice`);
        if (id !== null && ids.has(id)) add("duplicated", conv, `${user} holds ${id} twice`);
        seqs.add(seq);
        if (id !== null) ids.add(id);
      }
      const top = Math.max(0, ...seqs);
      for (let s = 1; s <= top; s++) if (!seqs.has(s)) add("gap", conv, `${user} holds up to seq ${top} without seq ${s}`);
      const missing = rows.filter((r) => !seqs.has(r.seq)).map((r) => r.seq);
      if (missing.length > 0) {
        add("undelivered", conv, `${user} never held seq ${missing.slice(0, 5).join(", ")}${missing.length > 5 ? ` … (${missing.length})` : ""}`);
      }
    }
  }

  const counts = Object.fromEntries(KINDS.map((k) => [k, anomalies.filter((a) => a.kind === k).length])) as Record<AnomalyKind, number>;
  return {
    created: h.sends.length,
    acked: ackSeq.size,
    stored: h.stored.length,
    unsettled: h.unsettled,
    counts,
    anomalies,
    ...timings(h),
    ok: anomalies.every((a) => a.kind === "reordered"),
    ordered: counts.reordered === 0,
  };
}

function timings(h: History): Pick<CheckResult, "reconnectMs" | "resumeAckMs" | "resumeDeliveryMs"> {
  const t0 = h.fault.at;
  const reconnect: number[] = [];
  const connsByUser = new Map<string, History["conns"]>();
  for (const c of h.conns) push(connsByUser, c.user, c);
  for (const conns of connsByUser.values()) {
    const sorted = [...conns].sort((a, b) => a.at - b.at);
    const down = sorted.find((c) => c.status === "down" && c.at >= t0);
    const up = down && sorted.find((c) => c.status === "up" && c.at >= down.at);
    if (up) reconnect.push(up.at - t0);
  }
  const createdAt = new Map(h.sends.map((s) => [s.clientMsgId, s.at]));
  const after = (id: string | null) => id !== null && (createdAt.get(id) ?? -Infinity) >= t0;
  const firstPer = (records: Array<{ user: string; at: number; clientMsgId: string | null }>) => {
    const first = new Map<string, number>();
    for (const r of records) if (after(r.clientMsgId) && r.at < (first.get(r.user) ?? Infinity)) first.set(r.user, r.at);
    return [...first.values()].map((at) => at - t0);
  };
  return { reconnectMs: spread(reconnect), resumeAckMs: spread(firstPer(h.acks)), resumeDeliveryMs: spread(firstPer(h.recvs.filter((r) => !isOwn(h, r)))) };
}

/** A recv of one's own message (echo or sync) says nothing about delivery to others. */
function isOwn(h: History, r: { user: string; clientMsgId: string | null }): boolean {
  return r.clientMsgId !== null && ownerOf(h).get(r.clientMsgId) === r.user;
}

const owners = new WeakMap<History, Map<string, string>>();
function ownerOf(h: History): Map<string, string> {
  let map = owners.get(h);
  if (!map) {
    map = new Map(h.sends.map((s) => [s.clientMsgId, s.user]));
    owners.set(h, map);
  }
  return map;
}
