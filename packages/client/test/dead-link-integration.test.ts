/**
 * Issue 15's open finding, reproduced on the real stack: a link that dies silently (no close, no
 * `offline` event: a Wi-Fi that drops every packet) used to turn a message "Failed" after the ACK
 * clock's two waits, long before the write-idle heartbeat noticed. The socket here goes through a
 * loopback TCP relay that can turn into a black hole: it keeps both sockets open and forwards
 * nothing. The unanswered send must probe the link, the missed pong drop it, and the message go
 * out once after the reconnect, never "Failed".
 */
import { createServer, connect, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { gatewayPort, type DimGateway, type MessageState } from "../src";
import { until } from "../src/testing";
import { befriend, clientFor, eventually, register, stateOf, useRealStack } from "./real-stack";

useRealStack();

/** A TCP relay to one node; `blackHole()` makes it swallow everything in both directions from then on. */
interface Relay {
  url: string;
  blackHole(): void;
  close(): Promise<void>;
}

const relays: Relay[] = [];
afterAll(async () => {
  for (const r of relays) await r.close();
});

async function relayTo(wsUrl: string): Promise<Relay> {
  const target = new URL(wsUrl);
  let dead = false;
  const sockets = new Set<Socket>();
  const server: Server = createServer((inbound) => {
    const outbound = connect(Number(target.port), target.hostname);
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.on("error", () => {});
    }
    inbound.on("data", (d) => !dead && outbound.write(d));
    outbound.on("data", (d) => !dead && inbound.write(d));
    // A dead link reports nothing: not even the other side's close.
    inbound.on("close", () => !dead && outbound.destroy());
    outbound.on("close", () => !dead && inbound.destroy());
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  const relay: Relay = {
    url: `ws://127.0.0.1:${port}${target.pathname}`,
    blackHole: () => (dead = true),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
  relays.push(relay);
  return relay;
}

describe("a link that dies silently", () => {
  it("keeps the message Sending (never Failed), drops the link on the probe's missed pong, and sends it once after the reconnect", async () => {
    const ana = await register("ana");
    const ben = await register("ben");
    const conversationId = await befriend(ana, ben);
    const real = gatewayPort(ana.api);
    let current: Relay | null = null;
    const gateway: DimGateway = {
      ...real,
      async assignNode(input) {
        const assignment = await real.assignNode(input);
        current = await relayTo(assignment.wsUrl);
        return { ...assignment, wsUrl: current.url };
      },
    };
    // The pong deadline is longer than the ACK clock's two waits: before the fix the message failed first.
    const client = clientFor(ana, undefined, { gateway, ackTimeoutMs: 1_000, pongTimeoutMs: 1_500 });
    await client.connect();
    const first = current!;
    const states: MessageState[] = [];
    client.on("messageState", (c) => states.push(c.state));

    first.blackHole();
    const m = client.send(conversationId, "written on a dead link");
    await until(client, "state", (s) => s.status !== "connected", "the dead link to be dropped", 15_000);
    expect(stateOf(client, conversationId, m.clientMsgId)).toBe("sending");
    await eventually(client, () => stateOf(client, conversationId, m.clientMsgId) === "sent" || stateOf(client, conversationId, m.clientMsgId) === "delivered", "sent after the reconnect", 15_000);
    expect(current).not.toBe(first);
    expect(states).not.toContain("failed");
    expect(states[0]).toBe("sending");

    const { messages } = await ben.api.conversations.history.query({ conversationId, limit: 50 });
    expect(messages.filter((x) => x.body === "written on a dead link")).toHaveLength(1);
  }, 60_000);
});
