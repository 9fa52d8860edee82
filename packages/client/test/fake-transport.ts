/**
 * Test doubles for DimClient's peers: an in-memory WebSocket (the transport the client is given)
 * and a gateway port. The unit under test is the client; these only record and replay frames.
 */
import { randomUUID } from "node:crypto";
import { vi } from "vitest";
import { PROTOCOL_VERSION, type AssignNodeOutput, type ClientFrame, type ConversationCursor, type Message, type ServerFrame, type WelcomeFrame } from "@dim/shared";
import { DimClient, type DimClientOptions, type DimGateway, type WebSocketLike } from "../src";

export class FakeSocket implements WebSocketLike {
  static all: FakeSocket[] = [];
  readyState = 0;
  readonly sent: string[] = [];
  closedByClient: { code?: number; reason?: string } | null = null;
  /** Answer `ping` with `pong`, as a live node does. Off to simulate a silent (half-open) node. */
  autoPong = true;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;

  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }

  send(data: string): void {
    if (this.readyState !== 1) throw new Error("not open");
    this.sent.push(data);
    const frame = JSON.parse(data) as ClientFrame;
    if (frame.type === "ping" && this.autoPong) queueMicrotask(() => this.push({ type: "pong", t: frame.t }));
  }

  close(code?: number, reason?: string): void {
    this.closedByClient = { code, reason };
    if (this.readyState === 3) return;
    this.readyState = 3;
    queueMicrotask(() => this.onclose?.({ code: code ?? 1005, reason: reason ?? "" }));
  }

  // ── the server side ──
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  push(frame: ServerFrame | Record<string, unknown>): void {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  pushRaw(data: unknown): void {
    this.onmessage?.({ data });
  }
  serverClose(code: number, reason = ""): void {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
  frames(): ClientFrame[] {
    return this.sent.map((s) => JSON.parse(s) as ClientFrame);
  }
  framesOf<T extends ClientFrame["type"]>(type: T): Extract<ClientFrame, { type: T }>[] {
    return this.frames().filter((f): f is Extract<ClientFrame, { type: T }> => f.type === type);
  }
  clearSent(): void {
    this.sent.length = 0;
  }
}

export function lastSocket(): FakeSocket {
  const s = FakeSocket.all.at(-1);
  if (!s) throw new Error("no socket was opened");
  return s;
}

export class FakeGateway implements DimGateway {
  readonly calls: { exclude: string[] }[] = [];
  private n = 0;
  constructor(private readonly nodes = ["node-a", "node-b", "node-c"]) {}

  async assignNode(input: { exclude: string[] }): Promise<AssignNodeOutput> {
    this.calls.push({ exclude: [...input.exclude] });
    const live = this.nodes.filter((n) => !input.exclude.includes(n));
    const nodeId = (live.length ? live : this.nodes)[this.n++ % (live.length || this.nodes.length)]!;
    return {
      nodeId,
      wsUrl: `ws://127.0.0.1:7001/ws?node=${nodeId}`,
      token: `secret-token-${this.calls.length}`,
      expiresAt: new Date(Date.now() + 60_000).toISOString(),
      protocolVersion: PROTOCOL_VERSION,
    };
  }
}

export const ME = randomUUID();
export const PEER = randomUUID();
export const CONV = randomUUID();

export function welcome(conversations: ConversationCursor[] = [], over: Partial<WelcomeFrame> = {}): WelcomeFrame {
  return {
    type: "welcome",
    v: PROTOCOL_VERSION,
    nodeId: "node-a",
    connectionId: "c-1",
    userId: ME,
    heartbeatMs: 15_000,
    idleTimeoutMs: 45_000,
    ackTimeoutMs: 4000,
    conversations,
    ...over,
  };
}

export function cursor(conversationId: string, lastSeq: number, over: Partial<ConversationCursor> = {}): ConversationCursor {
  return { conversationId, lastSeq, deliveredSeq: 0, readSeq: 0, ...over };
}

export function message(seq: number, over: Partial<Message> = {}): Message {
  return {
    id: randomUUID(),
    conversationId: CONV,
    seq,
    senderId: PEER,
    clientMsgId: `peer-msg-${seq}-xyz`,
    kind: "text",
    body: `hello ${seq}`,
    createdAt: new Date(Date.UTC(2025, 0, 1, 0, 0, seq)).toISOString(),
    ...over,
  };
}

/** Lets pending promises (store load, gateway call) run without moving fake time. */
export async function settle(): Promise<void> {
  await vi.advanceTimersByTimeAsync(0);
}

export interface Harness {
  client: DimClient;
  gateway: FakeGateway;
  errors: Error[];
  /** Runs the handshake on the newest socket with this welcome. */
  handshake(w?: WelcomeFrame): Promise<FakeSocket>;
}

export function harness(options: Partial<DimClientOptions> = {}, gateway = new FakeGateway()): Harness {
  FakeSocket.all = [];
  let ids = 0;
  const client = new DimClient({
    gateway,
    WebSocket: FakeSocket,
    random: () => 0.5,
    refreshCursorsOnConnect: false,
    // The fake node answers only what a test pushes: the reply probe would ping after every
    // unanswered write. Off here (tests of the probe set it).
    replyProbeMs: 3_600_000,
    newClientMsgId: () => `local-msg-${String(++ids).padStart(4, "0")}`,
    ...options,
  });
  const errors: Error[] = [];
  client.on("error", (e) => errors.push(e));
  return {
    client,
    gateway,
    errors,
    async handshake(w = welcome()) {
      await settle();
      const socket = lastSocket();
      socket.open();
      socket.push(w);
      await settle();
      return socket;
    },
  };
}

/** connect() + handshake; returns the socket. */
export async function connected(h: Harness, w?: WelcomeFrame): Promise<FakeSocket> {
  const p = h.client.connect();
  const socket = await h.handshake(w);
  await p;
  return socket;
}
