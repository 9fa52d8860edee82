/**
 * One connection per user, per system. A driver connects (and authenticates), sends a message
 * with an id, and reports the server's ACK and the recipient's delivery by that id. Frames are
 * handled without schema validation: the generator must stay cheap.
 */
import WebSocket from "ws";
import { DEFAULT_GROUP_ACK_DELAY_MS, EphemeralLimits } from "@dim/shared";
import { io, type Socket } from "socket.io-client";
import type { ConnSpec, SystemKind } from "./messages";

export interface Events {
  onAck(id: string): void;
  onDeliver(id: string): void;
  onError(what: string): void;
  /** DIM --typing: a `typing` frame written / received. */
  onTyping?(dir: "sent" | "received"): void;
}

export interface DriverOptions {
  /** DIM: a `typing` before a message when the socket's last one in that conversation is ≥ typingSendIntervalMs (3 s) old, as @dim/client throttles. */
  typing?: boolean;
  /** DIM: this socket's conversations are groups: its ACKs are coalesced per conversation over DEFAULT_GROUP_ACK_DELAY_MS, as @dim/client does (one `ack` of the highest seq per window). */
  groupAcks?: boolean;
}

export interface Conn {
  send(toUserId: string, conversationId: string | undefined, id: string, body: string): void;
  close(): void;
}

const CONNECT_TIMEOUT_MS = 20_000;

export function connect(system: SystemKind, spec: ConnSpec, ev: Events, opts: DriverOptions = {}): Promise<Conn> {
  switch (system) {
    case "dim":
      return connectDim(spec, ev, opts);
    case "socketio":
      return connectSocketIo(spec, ev);
    case "ws":
      return connectWs(spec, ev);
  }
}

function withTimeout<T>(p: Promise<T>, what: string, onTimeout: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => {
        onTimeout();
        reject(new Error(`${what}: timed out after ${CONNECT_TIMEOUT_MS} ms`));
      }, CONNECT_TIMEOUT_MS);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** DIM: auth → welcome; send → sent (ACK); message → ack frame back (the recipient's ACK leg). */
function connectDim(spec: ConnSpec, ev: Events, opts: DriverOptions): Promise<Conn> {
  const ws = new WebSocket(spec.url, { localAddress: spec.localAddress, perMessageDeflate: false });
  /** conversationId → when this socket last wrote `typing` there (throttled as @dim/client does: 3 s). */
  const lastTyping = new Map<string, number>();
  /** groupAcks: conversationId → highest seq pushed since the last `ack` written there. */
  const acksDue = new Map<string, number>();
  let ackTimer: NodeJS.Timeout | undefined;
  const flushAcks = () => {
    ackTimer = undefined;
    for (const [conversationId, seq] of acksDue) ws.send(JSON.stringify({ type: "ack", conversationId, seq }));
    acksDue.clear();
  };
  const ready = new Promise<Conn>((resolve, reject) => {
    let welcomed = false;
    ws.once("open", () => ws.send(JSON.stringify({ type: "auth", v: 1, token: spec.token })));
    ws.once("error", (err) => {
      if (!welcomed) reject(err);
    });
    ws.on("close", (code, reason) => {
      clearTimeout(ackTimer);
      if (!welcomed) reject(new Error(`closed before welcome: ${code} ${reason.toString()}`));
      else ev.onError(`closed ${code} ${reason.toString()}`);
    });
    ws.on("message", (data) => {
      const f = JSON.parse(data.toString()) as {
        type: string;
        clientMsgId?: string;
        code?: string;
        message?: { clientMsgId: string; conversationId: string; seq: number } | string;
      };
      switch (f.type) {
        case "sent":
          ev.onAck(f.clientMsgId!);
          return;
        case "message": {
          const m = f.message as { clientMsgId: string; conversationId: string; seq: number };
          if (opts.groupAcks) {
            acksDue.set(m.conversationId, Math.max(acksDue.get(m.conversationId) ?? 0, m.seq));
            ackTimer ??= setTimeout(flushAcks, DEFAULT_GROUP_ACK_DELAY_MS);
          } else {
            ws.send(JSON.stringify({ type: "ack", conversationId: m.conversationId, seq: m.seq }));
          }
          ev.onDeliver(m.clientMsgId);
          return;
        }
        case "welcome":
          welcomed = true;
          resolve({
            send(_to, conversationId, id, body) {
              if (opts.typing && conversationId) {
                const now = performance.now();
                if (now - (lastTyping.get(conversationId) ?? -Infinity) >= EphemeralLimits.typingSendIntervalMs) {
                  lastTyping.set(conversationId, now);
                  ws.send(JSON.stringify({ type: "typing", conversationId }));
                  ev.onTyping?.("sent");
                }
              }
              ws.send(JSON.stringify({ type: "send", conversationId, clientMsgId: id, kind: "text", body }));
            },
            close: () => {
              clearTimeout(ackTimer);
              ws.terminate();
            },
          });
          return;
        case "error":
          if (!welcomed) reject(new Error(`${f.code}: ${String(f.message)}`));
          else ev.onError(`${f.code}: ${String(f.message)}`);
          return;
        case "typing":
          ev.onTyping?.("received");
          return;
        default:
          return; // receipt, pong, sync.batch, presence
      }
    });
  });
  return withTimeout(ready, `dim connect ${spec.url}`, () => ws.terminate());
}

/** Socket.IO 4 over WebSocket only: emit("m", …, ack); the server relays to the room `userId`. */
function connectSocketIo(spec: ConnSpec, ev: Events): Promise<Conn> {
  const socket: Socket = io(spec.url, {
    transports: ["websocket"],
    auth: { userId: spec.userId, ...(spec.rooms ? { rooms: spec.rooms } : {}) },
    reconnection: false,
    forceNew: true,
    timeout: CONNECT_TIMEOUT_MS,
    localAddress: spec.localAddress,
    perMessageDeflate: false,
  } as unknown as Parameters<typeof io>[1]);
  const ready = new Promise<Conn>((resolve, reject) => {
    socket.once("connect_error", (err) => reject(err));
    // The server says "ready" once the socket joined its room (through the adapter).
    socket.once("ready", () =>
      resolve({
        send(to, _conversationId, id, body) {
          socket.emit("m", { to, id, b: body }, (res: { ok: boolean; error?: string }) => {
            if (res?.ok) ev.onAck(id);
            else ev.onError(res?.error ?? "nack");
          });
        },
        close: () => socket.disconnect(),
      }),
    );
    socket.on("m", (p: { id: string }) => ev.onDeliver(p.id));
    socket.on("disconnect", (reason) => ev.onError(`disconnect ${reason}`));
  });
  return withTimeout(ready, `socket.io connect ${spec.url}`, () => socket.disconnect());
}

/** Raw ws relay: hello → ok; m → a (ACK) to the sender, m to the recipient. */
function connectWs(spec: ConnSpec, ev: Events): Promise<Conn> {
  const ws = new WebSocket(spec.url, { localAddress: spec.localAddress, perMessageDeflate: false });
  const ready = new Promise<Conn>((resolve, reject) => {
    let ok = false;
    ws.once("open", () => ws.send(JSON.stringify({ t: "hello", u: spec.userId })));
    ws.once("error", (err) => {
      if (!ok) reject(err);
    });
    ws.on("close", (code) => {
      if (!ok) reject(new Error(`closed before hello: ${code}`));
      else ev.onError(`closed ${code}`);
    });
    ws.on("message", (data) => {
      const f = JSON.parse(data.toString()) as { t: string; id?: string };
      if (f.t === "a") ev.onAck(f.id!);
      else if (f.t === "m") ev.onDeliver(f.id!);
      else if (f.t === "ok") {
        ok = true;
        resolve({
          send(to, _c, id, body) {
            ws.send(JSON.stringify({ t: "m", to, id, b: body }));
          },
          close: () => ws.terminate(),
        });
      }
    });
  });
  return withTimeout(ready, `ws connect ${spec.url}`, () => ws.terminate());
}
