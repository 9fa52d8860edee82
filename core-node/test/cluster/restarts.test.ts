/**
 * Restarting Redis, and restarting the Kafka broker, while people chat across core node
 * processes (the launcher's restart helpers: same ports, same data): sends are still stored and
 * ACKed, delivery resumes, nothing is lost or doubled.
 */
import { describe, expect, it } from "vitest";
import type { DimClient } from "@dim/client";
import type { ServiceName } from "../../../scripts/infra/services";
import { ArrivalLog, expectExactlyOnceInOrder } from "./verify";
import { eventually, heldMessages, nodeOf, Sender, useSystem, type Person } from "./system";

const system = useSystem({ label: "restart", nodes: 3 });

async function chatThrough(service: ServiceName): Promise<void> {
  const people = (await Promise.all([system.register(`${service}a`), system.register(`${service}b`)])) as [Person, Person];
  const conversationId = await system.befriend(people[0], people[1]);
  const clients = people.map((p) => system.client(p)) as [DimClient, DimClient];
  for (const c of clients) await c.connect();
  expect(nodeOf(clients[0])).not.toBe(nodeOf(clients[1]));
  const senders = [new Sender(clients[0], conversationId, `${service}:a→b`), new Sender(clients[1], conversationId, `${service}:b→a`)];
  const arrivals = clients.map((c) => new ArrivalLog(c, conversationId));
  const drops: string[] = [];
  const offs = clients.map((c, i) => c.on("state", (st) => drops.push(`client ${i}: ${st.status}`)));

  for (const s of senders) s.start(80);
  await eventually(() => {
    if (senders.some((s) => s.acked.size < 10)) throw new Error("still sending");
  }, "traffic before the restart");

  // The restart runs while the senders keep sending.
  const restarted = await system.control().restart(service);
  expect(restarted[service].port).toBe(system.state[service].port);
  const ackedAfterRestart = senders.map((s) => s.acked.size);

  // Sends are stored and ACKed after it …
  await eventually(() => {
    if (senders.some((s, i) => s.acked.size < ackedAfterRestart[i]! + 10)) throw new Error("still sending");
  }, `traffic after the ${service} restart`, 60_000);
  // … and pushes reach the other side again (the clients never reconnected, so no sync on
  // welcome did it for them).
  const probe = clients[0].send(conversationId, `${service}: probe after restart`);
  await eventually(() => {
    if (!heldMessages(clients[1], conversationId).some((m) => m.clientMsgId === probe.clientMsgId)) throw new Error("not there");
  }, "a message pushed after the restart", 60_000);
  expect(drops, "no client lost its socket").toEqual([]);

  await Promise.all(senders.map((s) => s.settle()));
  for (const s of senders) expect([...s.failed], `${s.label}: no send failed its ACK clock`).toEqual([]);
  for (const i of [0, 1] as const) {
    await expectExactlyOnceInOrder({ system, conversationId, recipient: clients[i], arrivals: arrivals[i]!, senders });
  }
  // Everything each side sent is delivered to the other (the receipts crossed Kafka too).
  for (const c of clients) {
    await eventually(() => {
      const states = heldMessages(c, conversationId).filter((m) => m.own).map((m) => m.state);
      if (!states.every((s) => s === "delivered")) throw new Error(`states: ${[...new Set(states)].join(",")}`);
    }, "every message delivered", 60_000);
  }
  for (const s of senders) s.dispose();
  for (const a of arrivals) a.dispose();
  for (const off of offs) off();
  await Promise.all(clients.map((c) => c.stop()));
}

describe("infrastructure restarts during traffic", () => {
  it("restarting Redis: sends are stored and ACKed, delivery resumes, nothing lost or doubled", async () => {
    await chatThrough("redis");
  });

  it("restarting the Kafka broker: sends are stored and ACKed, delivery resumes, nothing lost or doubled", async () => {
    await chatThrough("kafka");
  });
});
