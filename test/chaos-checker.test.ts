/**
 * The chaos checker (scripts/chaos/checker.ts) on hand-made histories: a clean one passes, and
 * each kind of anomaly — one acknowledged message missing, a duplicate, a reorder within a
 * connection, a seq gap, a stored message a member never held — is caught.
 */
import { describe, expect, it } from "vitest";
import { check } from "../scripts/chaos/checker";
import type { History } from "../scripts/chaos/history";

const C = "conv-1";

/** alice sends m1..m3 (connection 1) to bob; both hold all three; the fault is at t=100. */
function clean(): History {
  return {
    sends: [1, 2, 3].map((n) => ({ user: "alice", conv: C, clientMsgId: `m${n}`, conn: 1, at: 50 * n, retried: false })),
    acks: [1, 2, 3].map((n) => ({ user: "alice", conv: C, clientMsgId: `m${n}`, seq: n, at: 50 * n + 10 })),
    recvs: [1, 2, 3].map((n) => ({ user: "bob", conv: C, seq: n, clientMsgId: `m${n}`, at: 50 * n + 20 })),
    conns: [
      { user: "bob", at: 0, status: "up", nodeId: "n1" },
      { user: "bob", at: 110, status: "down" },
      { user: "bob", at: 400, status: "up", nodeId: "n2" },
    ],
    held: ["alice", "bob"].map((user) => ({ user, conv: C, messages: [1, 2, 3].map((n) => [n, `m${n}`] as [number, string]) })),
    unsettled: 0,
    stored: [1, 2, 3].map((n) => ({ conv: C, seq: n, clientMsgId: `m${n}`, senderId: "alice" })),
    members: { [C]: ["alice", "bob"] },
    fault: { at: 100, endAt: 120 },
  };
}

describe("chaos checker", () => {
  it("passes a clean history and measures reconnect and resume", () => {
    const r = check(clean());
    expect(r.anomalies).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.ordered).toBe(true);
    expect(r).toMatchObject({ created: 3, acked: 3, stored: 3 });
    expect(r.reconnectMs).toEqual({ n: 1, p50: 300, max: 300 });
    // m2 (created at 100) is the first after the fault: acked at 110, delivered at 120
    expect(r.resumeAckMs).toEqual({ n: 1, p50: 10, max: 10 });
    expect(r.resumeDeliveryMs).toEqual({ n: 1, p50: 20, max: 20 });
  });

  it("catches one acknowledged message missing from PostgreSQL (and from the recipient)", () => {
    const h = clean();
    h.stored = h.stored.filter((r) => r.clientMsgId !== "m3");
    h.held = h.held.map((x) => ({ ...x, messages: x.messages.filter(([seq]) => seq !== 3) }));
    h.recvs = h.recvs.filter((r) => r.seq !== 3);
    const r = check(h);
    expect(r.ok).toBe(false);
    expect(r.counts.lost).toBe(1);
    expect(r.anomalies[0]).toMatchObject({ kind: "lost", conv: C });
    expect(r.anomalies[0]!.detail).toContain("m3");
  });

  it("catches an acknowledgement whose seq is not the stored one", () => {
    const h = clean();
    h.acks[2] = { ...h.acks[2]!, seq: 7 };
    expect(check(h).counts.lost).toBe(1);
  });

  it("catches duplicates: stored twice, acknowledged with two seqs, given twice, held twice", () => {
    const stored = clean();
    stored.stored.push({ conv: C, seq: 4, clientMsgId: "m1", senderId: "alice" });
    expect(check(stored).counts.duplicated).toBeGreaterThanOrEqual(1);

    const acked = clean();
    acked.acks.push({ user: "alice", conv: C, clientMsgId: "m1", seq: 3, at: 500 });
    expect(check(acked).counts.duplicated).toBe(1);

    const given = clean();
    given.recvs.push({ user: "bob", conv: C, seq: 2, clientMsgId: "m2", at: 900 });
    expect(check(given).counts.duplicated).toBe(1);

    const held = clean();
    held.held[1]!.messages.push([2, "m2"]);
    expect(check(held).counts.duplicated).toBeGreaterThanOrEqual(1);
  });

  it("catches a reorder within one connection, not across connections or after a hand retry", () => {
    const h = clean();
    h.acks = h.acks.map((a) => ({ ...a, seq: a.clientMsgId === "m2" ? 3 : a.clientMsgId === "m3" ? 2 : a.seq }));
    h.stored = h.stored.map((r) => ({ ...r, clientMsgId: r.seq === 2 ? "m3" : r.seq === 3 ? "m2" : r.clientMsgId }));
    const r = check(h);
    expect(r.counts.reordered).toBe(1);
    expect(r.counts.lost).toBe(0);
    expect(r.ordered).toBe(false);
    expect(r.ok, "a reorder is reported apart from loss and duplicates").toBe(true);

    const otherConn = structuredClone(h);
    otherConn.sends[2]!.conn = 2;
    expect(check(otherConn).counts.reordered).toBe(0);

    const retried = structuredClone(h);
    retried.sends[1]!.retried = true;
    expect(check(retried).counts.reordered).toBe(0);
  });

  it("catches a seq gap in PostgreSQL and in a client's view", () => {
    const pg = clean();
    pg.stored[2]!.seq = 4;
    pg.acks[2]!.seq = 4;
    pg.held = pg.held.map((x) => ({ ...x, messages: [[1, "m1"], [2, "m2"], [4, "m3"]] }));
    const r = check(pg);
    expect(r.counts.gap).toBeGreaterThanOrEqual(1);
    expect(r.anomalies.some((a) => a.kind === "gap" && a.detail.startsWith("PostgreSQL"))).toBe(true);

    const view = clean();
    view.held[1]!.messages = [[1, "m1"], [3, "m3"]];
    const v = check(view);
    expect(v.anomalies.some((a) => a.kind === "gap" && a.detail.includes("bob"))).toBe(true);
  });

  it("catches a stored message a member's client never held", () => {
    const h = clean();
    h.stored.push({ conv: C, seq: 4, clientMsgId: null, senderId: null }); // e.g. a system message
    const r = check(h);
    expect(r.counts.undelivered).toBe(2);
    expect(r.counts.lost).toBe(0);
  });

  it("does not count an unacknowledged send as lost", () => {
    const h = clean();
    h.sends.push({ user: "alice", conv: C, clientMsgId: "m4", conn: 2, at: 600, retried: false });
    h.unsettled = 1;
    const r = check(h);
    expect(r.ok).toBe(true);
    expect(r.unsettled).toBe(1);
  });
});
