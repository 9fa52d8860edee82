import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AppError, CloseCode, ErrorCode, PROTOCOL_VERSION } from "@dim/shared";
import { backoffDelay, backoffWindow, MemoryClientStore, type ConnectionState } from "../src";
import { CONV, FakeGateway, FakeSocket, connected, cursor, harness, lastSocket, settle, welcome } from "./fake-transport";

describe("node link: handshake, heartbeat, reconnect", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("sends the token only in the first frame, `auth`, never in the URL", async () => {
    const h = harness();
    const states: ConnectionState[] = [];
    h.client.on("state", (s) => states.push(s));
    const done = h.client.connect();
    await settle();
    const socket = lastSocket();
    expect(socket.url).toBe("ws://127.0.0.1:7001/ws?node=node-a");
    expect(socket.url).not.toContain("secret-token");
    expect(socket.sent).toEqual([]); // nothing before open
    socket.open();
    expect(socket.frames()).toEqual([{ type: "auth", v: PROTOCOL_VERSION, token: "secret-token-1" }]);
    // Nothing else is written before welcome, even if the app sends.
    h.client.send(CONV, "early bird");
    expect(socket.frames()).toHaveLength(1);
    socket.push(welcome());
    await done;
    expect(socket.frames().map((f) => f.type)).toEqual(["auth", "send", "presence.query"]);
    expect(states.map((s) => s.status)).toEqual(["connecting", "connected"]);
    expect(h.client.connectionState).toEqual({ status: "connected", nodeId: "node-a", connectionId: "c-1" });
  });

  it("writes a ping when write-idle for heartbeatMs; any write postpones it", async () => {
    const h = harness();
    const socket = await connected(h, welcome([], { heartbeatMs: 10_000 }));
    await vi.advanceTimersByTimeAsync(9_000);
    expect(socket.framesOf("ping")).toHaveLength(0);
    const m = h.client.send(CONV, "activity");
    socket.push({ type: "sent", clientMsgId: m.clientMsgId, messageId: randomUUID(), conversationId: CONV, seq: 1, createdAt: new Date().toISOString(), duplicate: false });
    await vi.advanceTimersByTimeAsync(9_000);
    expect(socket.framesOf("ping")).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(socket.framesOf("ping")).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(socket.framesOf("ping")).toHaveLength(2);
    expect(h.client.connectionState.status).toBe("connected");
  });

  it("backoff delays stay within [step/2, step], step = min(cap, base·2^attempt)", () => {
    const opts = { baseMs: 500, capMs: 30_000 };
    for (let attempt = 0; attempt < 12; attempt++) {
      const { minMs, maxMs } = backoffWindow(attempt, opts);
      expect(maxMs).toBe(Math.min(30_000, 500 * 2 ** attempt));
      expect(minMs).toBe(maxMs / 2);
      for (const r of [0, 0.25, 0.999999, Math.random()]) {
        const d = backoffDelay(attempt, opts, () => r);
        expect(d).toBeGreaterThanOrEqual(minMs);
        expect(d).toBeLessThanOrEqual(maxMs);
      }
    }
    // Jitter really spreads clients out.
    expect(backoffDelay(3, opts, () => 0)).not.toBe(backoffDelay(3, opts, () => 1));
  });

  it("reconnects after a dead node with jittered backoff, excluding that node, then re-syncs and re-sends", async () => {
    const random = vi.fn(() => 0.3);
    const h = harness({ random, backoff: { baseMs: 1000, capMs: 8000 } });
    const states: ConnectionState[] = [];
    const first = await connected(h, welcome([cursor(CONV, 0)]));
    h.client.on("state", (s) => states.push(s));
    const pending = h.client.send(CONV, "in flight when the node died");

    first.serverClose(1006);
    await settle();
    const delay = backoffDelay(0, { baseMs: 1000, capMs: 8000 }, () => 0.3);
    expect(states.at(-1)).toEqual({ status: "reconnecting", inMs: delay, attempt: 1 });
    expect(delay).toBeGreaterThanOrEqual(500);
    expect(delay).toBeLessThanOrEqual(1000);
    expect(h.client.conversationMessages(CONV)[0]!.state).toBe("sending");

    await vi.advanceTimersByTimeAsync(delay - 1);
    expect(h.gateway.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.gateway.calls).toEqual([{ exclude: [] }, { exclude: ["node-a"] }]);
    const second = lastSocket();
    expect(second).not.toBe(first);
    second.open();
    expect(second.frames()[0]).toEqual({ type: "auth", v: PROTOCOL_VERSION, token: "secret-token-2" });
    second.push(welcome([cursor(CONV, 2)], { nodeId: "node-b", connectionId: "c-2" }));
    await settle();
    expect(h.client.connectionState).toMatchObject({ status: "connected", nodeId: "node-b" });
    expect(second.framesOf("send").map((f) => f.clientMsgId)).toEqual([pending.clientMsgId]);
    expect(second.framesOf("sync")).toEqual([{ type: "sync", conversationId: CONV, afterSeq: 0, limit: 200 }]);
  });

  it("a drain's 4504 reconnects after the normal jittered backoff without excluding the node, and re-sends what got no `sent`", async () => {
    const h = harness({ random: () => 0.5, backoff: { baseMs: 1000, capMs: 8000 } });
    const states: ConnectionState[] = [];
    const first = await connected(h, welcome([cursor(CONV, 0)]));
    h.client.on("state", (s) => states.push(s));
    const pending = h.client.send(CONV, "written after the node stopped reading");
    first.serverClose(CloseCode.NodeDraining, "node is draining; reconnect elsewhere");
    await settle();
    const delay = backoffDelay(0, { baseMs: 1000, capMs: 8000 }, () => 0.5);
    expect(states.at(-1)).toEqual({ status: "reconnecting", inMs: delay, attempt: 1 });
    await vi.advanceTimersByTimeAsync(delay);
    // Not blamed: the gateway already skips a draining node, and it is healthy.
    expect(h.gateway.calls).toEqual([{ exclude: [] }, { exclude: [] }]);
    const second = lastSocket();
    second.open();
    second.push(welcome([cursor(CONV, 0)], { nodeId: "node-b", connectionId: "c-2" }));
    await settle();
    expect(second.framesOf("send").map((f) => f.clientMsgId)).toEqual([pending.clientMsgId]);
  });

  it("4409 TooManySockets (the account's socket cap) reports LIMIT_EXCEEDED, backs off further each time, and never blames the node", async () => {
    const h = harness({ random: () => 1, backoff: { baseMs: 1000, capMs: 4000 } });
    const states: ConnectionState[] = [];
    const errors: string[] = [];
    h.client.on("state", (s) => states.push(s));
    h.client.on("error", (e) => errors.push(e.code));
    void h.client.connect();
    await settle();
    for (let i = 0; i < 3; i++) {
      const socket = lastSocket();
      socket.open();
      socket.push({ type: "error", code: ErrorCode.LimitExceeded, message: "this account already holds 10 connections", ref: "auth" });
      socket.serverClose(CloseCode.TooManySockets, "too many connections for this account");
      await settle();
      const s = states.at(-1);
      if (s?.status !== "reconnecting") throw new Error(`expected reconnecting, got ${s?.status}`);
      await vi.advanceTimersByTimeAsync(s.inMs);
    }
    expect(errors.filter((c) => c === ErrorCode.LimitExceeded)).toHaveLength(3);
    expect(states.filter((s) => s.status === "reconnecting").map((s) => (s as { inMs: number }).inMs)).toEqual([1000, 2000, 4000]);
    expect(h.gateway.calls.every((c) => c.exclude.length === 0)).toBe(true);
    await h.client.stop();
  });

  it("backoff grows while the gateway or nodes keep failing, and resets after a welcome", async () => {
    const gateway = new FakeGateway(["node-a", "node-b"]);
    const h = harness({ backoff: { baseMs: 1000, capMs: 4000 }, random: () => 1 }, gateway);
    const states: ConnectionState[] = [];
    h.client.on("state", (s) => states.push(s));
    void h.client.connect();
    await settle();
    for (let i = 0; i < 4; i++) {
      lastSocket().serverClose(1006); // connection refused
      await settle();
      const s = states.at(-1);
      if (s?.status !== "reconnecting") throw new Error(`expected reconnecting, got ${s?.status}`);
      await vi.advanceTimersByTimeAsync(s.inMs);
    }
    const delays = states.filter((s) => s.status === "reconnecting").map((s) => (s as { inMs: number }).inMs);
    expect(delays).toEqual([1000, 2000, 4000, 4000]);
    const socket = lastSocket();
    socket.open();
    socket.push(welcome());
    await settle();
    socket.serverClose(CloseCode.NodeShuttingDown);
    await settle();
    expect(states.at(-1)).toMatchObject({ status: "reconnecting", inMs: 1000 });
  });

  it("on Unauthorized it asks the gateway again (fresh token) without blaming the node", async () => {
    const h = harness();
    void h.client.connect();
    await settle();
    const socket = lastSocket();
    socket.open();
    socket.push({ type: "error", code: "UNAUTHORIZED", message: "token expired", ref: "auth" });
    socket.serverClose(CloseCode.Unauthorized, "token expired");
    await settle();
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.gateway.calls).toEqual([{ exclude: [] }, { exclude: [] }]);
    lastSocket().open();
    expect(lastSocket().frames()[0]).toMatchObject({ type: "auth", token: "secret-token-2" });
    expect(h.errors.map((e) => (e as AppError).code)).toContain("UNAUTHORIZED");
  });

  it("a silent node (no pong, no frames) is abandoned after idleTimeoutMs and excluded", async () => {
    const h = harness();
    // Heartbeat later than the idle timeout: the silence watchdog alone notices.
    const socket = await connected(h, welcome([], { heartbeatMs: 30_000, idleTimeoutMs: 12_000 }));
    socket.autoPong = false;
    await vi.advanceTimersByTimeAsync(11_999);
    expect(h.client.connectionState.status).toBe("connected");
    await vi.advanceTimersByTimeAsync(1);
    expect(h.client.connectionState.status).toBe("reconnecting");
    expect(socket.closedByClient).not.toBeNull();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(h.gateway.calls).toEqual([{ exclude: [] }, { exclude: ["node-a"] }]);
  });

  it("a missed heartbeat (a ping unanswered for pongTimeoutMs) drops the link at once; an answered one does not", async () => {
    const h = harness({ pongTimeoutMs: 2_000 });
    const socket = await connected(h, welcome([], { heartbeatMs: 5_000, idleTimeoutMs: 45_000 }));
    await vi.advanceTimersByTimeAsync(5_000);
    expect(socket.framesOf("ping")).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(10_000); // answered pings: still connected
    expect(h.client.connectionState.status).toBe("connected");
    socket.autoPong = false;
    await vi.advanceTimersByTimeAsync(5_000); // write-idle again: this ping goes unanswered
    expect(socket.framesOf("ping")).toHaveLength(4);
    await vi.advanceTimersByTimeAsync(1_999);
    expect(h.client.connectionState.status).toBe("connected");
    await vi.advanceTimersByTimeAsync(1);
    expect(h.client.connectionState.status).toBe("reconnecting");
    expect(socket.closedByClient).not.toBeNull();
    // Written after: queued, and long past the ACK clock still "sending" (no socket took it).
    const pending = h.client.send(CONV, "written on a dead link");
    await vi.advanceTimersByTimeAsync(20_000);
    expect(h.client.outbox.map((m) => [m.clientMsgId, m.state])).toEqual([[pending.clientMsgId, "sending"]]);
  });

  it("a node that freezes while the client keeps writing is left after replyProbeMs + pongTimeoutMs, not its idle timeout", async () => {
    const h = harness({ replyProbeMs: 2_000, pongTimeoutMs: 3_000 });
    const socket = await connected(h, welcome([cursor(CONV, 0)], { heartbeatMs: 15_000, idleTimeoutMs: 45_000 }));
    // Healthy: a write, then 2 s of silence, sends a ping; the pong keeps the link.
    h.client.send(CONV, "answered");
    await vi.advanceTimersByTimeAsync(2_000);
    expect(socket.framesOf("ping")).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(h.client.connectionState.status).toBe("connected");

    // Frozen: the client keeps writing every second (never write-idle), nothing comes back.
    socket.autoPong = false;
    const writer = setInterval(() => h.client.send(CONV, "into the void"), 1_000);
    try {
      await vi.advanceTimersByTimeAsync(2_000 + 3_000 - 500);
      expect(socket.closedByClient).toBeNull();
      await vi.advanceTimersByTimeAsync(1_500);
      expect(socket.closedByClient).not.toBeNull();
      expect(h.client.connectionState.status).not.toBe("connected");
    } finally {
      clearInterval(writer);
    }
  });

  it("networkLost() (the browser's offline event) drops an open-looking socket now; messages wait as 'sending' and go out once on return", async () => {
    const h = harness({ backoff: { baseMs: 1_000, capMs: 1_000 } });
    const states: ConnectionState[] = [];
    const first = await connected(h, welcome([cursor(CONV, 0)]));
    h.client.on("state", (s) => states.push(s));
    const inFlight = h.client.send(CONV, "written just before the link died");
    h.client.networkLost();
    expect(h.client.connectionState.status).toBe("reconnecting");
    expect(first.closedByClient?.code).toBe(1000);
    const offline = h.client.send(CONV, "written offline");
    // Far past the ACK clock (4 s, re-send, 4 s): nothing failed, nothing was written twice.
    await vi.advanceTimersByTimeAsync(500);
    h.client.networkLost(); // a second offline event changes nothing
    expect(states.filter((s) => s.status === "reconnecting")).toHaveLength(1);
    expect(h.client.outbox.map((m) => m.state)).toEqual(["sending", "sending"]);
    expect(first.framesOf("send").map((f) => f.clientMsgId)).toEqual([inFlight.clientMsgId]);
    // Back: the next welcome writes both, once each, and the node was not blamed.
    h.client.reconnectNow();
    await settle();
    const second = lastSocket();
    expect(second).not.toBe(first);
    second.open();
    second.push(welcome([cursor(CONV, 0)]));
    await settle();
    expect(second.framesOf("send").map((f) => f.clientMsgId)).toEqual([inFlight.clientMsgId, offline.clientMsgId]);
    expect(h.gateway.calls.at(-1)).toEqual({ exclude: [] });
    for (const [i, m] of [inFlight, offline].entries()) {
      second.push({ type: "sent", clientMsgId: m.clientMsgId, messageId: randomUUID(), conversationId: CONV, seq: i + 1, createdAt: new Date().toISOString(), duplicate: false });
    }
    await settle();
    expect(h.client.outbox).toEqual([]);
    expect(h.client.conversationMessages(CONV).map((m) => [m.body, m.state])).toEqual([
      ["written just before the link died", "sent"],
      ["written offline", "sent"],
    ]);
  });

  it("a node that never answers auth is abandoned at the connect deadline", async () => {
    const h = harness({ connectTimeoutMs: 3000 });
    void h.client.connect();
    await settle();
    lastSocket().open();
    await vi.advanceTimersByTimeAsync(3000);
    expect(h.client.connectionState.status).toBe("reconnecting");
  });

  it.each([CloseCode.ProtocolViolation, CloseCode.UnsupportedVersion, CloseCode.ForbiddenOrigin])(
    "close code %i means offline: no reconnect",
    async (code) => {
      const h = harness();
      const socket = await connected(h);
      socket.serverClose(code);
      await vi.advanceTimersByTimeAsync(120_000);
      expect(h.client.connectionState).toMatchObject({ status: "offline", reason: { code } });
      expect(h.gateway.calls).toHaveLength(1);
    },
  );

  it("SessionEnded (4402) means signed out: offline with UNAUTHORIZED, no reconnect", async () => {
    const h = harness();
    const socket = await connected(h);
    socket.serverClose(CloseCode.SessionEnded, "the session ended (logged out)");
    await vi.advanceTimersByTimeAsync(120_000);
    expect(h.client.connectionState).toEqual({ status: "offline", reason: { code: "UNAUTHORIZED", message: "the session ended (logged out)" } });
    expect(h.gateway.calls).toHaveLength(1);
  });

  it("an invalid session at the gateway goes offline and rejects connect()", async () => {
    const gateway = new FakeGateway();
    gateway.assignNode = async () => {
      throw new AppError("UNAUTHORIZED", "no session");
    };
    const h = harness({}, gateway);
    await expect(h.client.connect()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    expect(h.client.connectionState).toMatchObject({ status: "offline" });
  });

  it("a gateway that is down is retried with backoff", async () => {
    const gateway = new FakeGateway();
    const assign = gateway.assignNode.bind(gateway);
    let fail = 2;
    gateway.assignNode = async (input) => {
      if (fail-- > 0) throw new AppError("NO_NODE_AVAILABLE", "no node");
      return assign(input);
    };
    const h = harness({}, gateway);
    const done = h.client.connect();
    await vi.advanceTimersByTimeAsync(10_000);
    const socket = lastSocket();
    socket.open();
    socket.push(welcome());
    await expect(done).resolves.toBeUndefined();
  });

  it("stop() closes the socket and never reconnects", async () => {
    const h = harness();
    const socket = await connected(h);
    await h.client.stop();
    expect(socket.closedByClient).toEqual({ code: 1000, reason: "client stop" });
    await vi.advanceTimersByTimeAsync(120_000);
    expect(h.client.connectionState).toEqual({ status: "stopped" });
    expect(h.gateway.calls).toHaveLength(1);
    expect(FakeSocket.all).toHaveLength(1);
  });

  it("reconnectNow() skips the rest of a backoff", async () => {
    const h = harness({ backoff: { baseMs: 20_000, capMs: 60_000 } });
    const socket = await connected(h);
    socket.serverClose(1006);
    await settle();
    expect(h.client.connectionState.status).toBe("reconnecting");
    h.client.reconnectNow();
    await settle();
    expect(h.gateway.calls).toHaveLength(2);
    h.client.reconnectNow(); // not reconnecting any more: no-op
    await settle();
    expect(h.gateway.calls).toHaveLength(2);
  });

  it("stop() then connect() while the gateway is still answering opens one socket, not two", async () => {
    const gateway = new FakeGateway();
    const assign = gateway.assignNode.bind(gateway);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let first = true;
    gateway.assignNode = async (input) => {
      if (first) {
        first = false;
        await gate;
      }
      return assign(input);
    };
    const h = harness({}, gateway);
    void h.client.connect();
    await settle();
    await h.client.stop();
    const done = h.client.connect();
    await settle();
    release();
    await settle();
    expect(FakeSocket.all).toHaveLength(1);
    lastSocket().open();
    lastSocket().push(welcome());
    await done;
    expect(h.client.connectionState.status).toBe("connected");
  });
});
