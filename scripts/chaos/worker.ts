/**
 * A chaos client worker process (forked by workers.ts): a few @dim/client DimClients (one per
 * person), each sending numbered messages into its conversations at a bounded rate with a small
 * window of unconfirmed sends (the client's outbox and ACK clocks do the re-sends), and recording
 * what it created, what was acknowledged, what it was given and its connection changes. On
 * `settle` it stops sending, retries what failed (same clientMsgId: stored at most once), waits
 * until nothing is unconfirmed and nothing new arrived for a while, and reports its history.
 */
import WebSocket from "ws";
import { createGatewayClient, DimClient, gatewayPort, type WebSocketConstructor } from "@dim/client";
import type { AckRecord, ConnRecord, RecvRecord, SendRecord, WorkerHistory } from "./history";
import type { FromWorker, PersonSpec, ToWorker } from "./worker-messages";

const reply = (m: FromWorker) => process.send?.(m);

/** ws sockets by the user who opened them, so a disconnect can destroy them abruptly. */
const sockets = new Map<string, Set<WebSocket>>();
function socketClassFor(userId: string): WebSocketConstructor {
  class TrackedSocket extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      const set = sockets.get(userId) ?? new Set<WebSocket>();
      sockets.set(userId, set);
      set.add(this);
      this.once("close", () => set.delete(this));
    }
  }
  return TrackedSocket as unknown as WebSocketConstructor;
}

interface Runner {
  person: PersonSpec;
  client: DimClient;
  conn: number;
  n: number;
  timer?: NodeJS.Timeout;
}

const history: WorkerHistory = { sends: [], acks: [], recvs: [], conns: [], held: [], unsettled: 0 };
const sendIndex = new Map<string, SendRecord>();
const ackKeys = new Set<string>();
const runners: Runner[] = [];
let rate = 2;
let window = 4;

function setup(msg: Extract<ToWorker, { cmd: "setup" }>): Promise<void> {
  rate = msg.ratePerClient;
  window = msg.window;
  return Promise.all(
    msg.people.map(async (person) => {
      const api = createGatewayClient({ baseUrl: msg.gatewayUrl, sessionToken: person.token });
      const client = new DimClient({ gateway: gatewayPort(api), WebSocket: socketClassFor(person.userId), backoff: { baseMs: 100, capMs: 1_000 } });
      const r: Runner = { person, client, conn: 0, n: 0 };
      client.on("error", () => undefined); // dead nodes and restarts are expected here
      const user = person.userId;
      let up = false;
      client.on("state", (s) => {
        const conn: ConnRecord | undefined =
          s.status === "connected" ? { user, at: Date.now(), status: "up", nodeId: s.nodeId } : up ? { user, at: Date.now(), status: "down" } : undefined;
        if (s.status === "connected") r.conn++;
        if (conn && (conn.status === "up") !== up) history.conns.push(conn);
        up = s.status === "connected";
      });
      client.on("messageState", (c) => {
        if (c.seq === null || !sendIndex.has(c.clientMsgId)) return;
        const ack: AckRecord = { user, conv: c.conversationId, clientMsgId: c.clientMsgId, seq: c.seq, at: Date.now() };
        // one record per (clientMsgId, seq): later state changes (delivered, read) repeat the seq
        const key = `${ack.clientMsgId}:${ack.seq}`;
        if (ackKeys.has(key)) return;
        ackKeys.add(key);
        history.acks.push(ack);
      });
      client.on("message", (m) => {
        if (m.seq === null) return;
        const rec: RecvRecord = { user, conv: m.conversationId, seq: m.seq, clientMsgId: m.clientMsgId, at: Date.now() };
        history.recvs.push(rec);
      });
      await client.connect();
      runners.push(r);
    }),
  ).then(() => undefined);
}

function tick(r: Runner): void {
  const conv = r.person.convs[r.n % r.person.convs.length]!;
  const pending = r.client.outbox.filter((i) => i.conversationId === conv && i.state === "sending").length;
  if (pending >= window) return;
  r.n++;
  const m = r.client.send(conv, `${r.person.userId.slice(0, 8)}-${r.n}`);
  const rec: SendRecord = { user: r.person.userId, conv, clientMsgId: m.clientMsgId, conn: r.conn, at: Date.now(), retried: false };
  history.sends.push(rec);
  sendIndex.set(m.clientMsgId, rec);
}

function start(): void {
  const every = Math.max(10, Math.round(1000 / rate));
  for (const r of runners) r.timer = setInterval(() => tick(r), every);
}

function disconnect(userIds: string[]): number {
  let count = 0;
  for (const id of userIds) for (const ws of sockets.get(id) ?? []) {
    ws.terminate();
    count++;
  }
  return count;
}

async function settle(timeoutMs: number, quietMs: number): Promise<WorkerHistory> {
  for (const r of runners) clearInterval(r.timer);
  const deadline = Date.now() + timeoutMs;
  const unconfirmed = () => runners.reduce((n, r) => n + r.client.outbox.length, 0);
  while (Date.now() < deadline && unconfirmed() > 0) {
    for (const r of runners) {
      for (const item of r.client.outbox) {
        if (item.state !== "failed") continue;
        const rec = sendIndex.get(item.clientMsgId);
        if (rec) rec.retried = true;
        r.client.retry(item.clientMsgId);
      }
    }
    await new Promise((res) => setTimeout(res, 250));
  }
  // Quiet: nothing new given to any client for quietMs (late pushes and syncs have landed).
  let seen = history.recvs.length;
  let quietSince = Date.now();
  while (Date.now() < deadline && Date.now() - quietSince < quietMs) {
    await new Promise((res) => setTimeout(res, 200));
    if (history.recvs.length !== seen) {
      seen = history.recvs.length;
      quietSince = Date.now();
    }
  }
  history.unsettled = unconfirmed();
  history.held = heldNow();
  return history;
}

function heldNow(): WorkerHistory["held"] {
  return runners.flatMap((r) =>
    r.client.conversationIds().map((conv) => ({
      user: r.person.userId,
      conv,
      messages: r.client
        .conversationMessages(conv)
        .filter((m) => m.seq !== null)
        .map((m) => [m.seq!, m.clientMsgId] as [number, string | null]),
    })),
  );
}

process.on("message", (raw) => {
  const msg = raw as ToWorker;
  const fail = (err: unknown) => reply({ ev: "error", message: err instanceof Error ? err.stack ?? err.message : String(err) });
  switch (msg.cmd) {
    case "setup":
      setup(msg).then(() => reply({ ev: "ready" }), fail);
      break;
    case "start":
      start();
      break;
    case "disconnect":
      reply({ ev: "disconnected", count: disconnect(msg.userIds) });
      break;
    case "settle":
      settle(msg.timeoutMs, msg.quietMs).then((h) => reply({ ev: "settled", history: h }), fail);
      break;
    case "held":
      reply({ ev: "held", held: heldNow() });
      break;
    case "exit":
      void Promise.all(runners.map((r) => r.client.stop())).finally(() => process.exit(0));
      break;
  }
});
process.on("disconnect", () => process.exit(0));
