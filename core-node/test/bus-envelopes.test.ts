/**
 * What a node does with what the bus hands it: envelopes of the node protocol are decoded and
 * acted on; an unknown type (a newer node's, during a rolling upgrade) or a malformed payload is
 * logged and dropped, and the node keeps handling the next records.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it, onTestFinished } from "vitest";
import { createMemoryInfra, MemoryHub } from "@dim/infra";
import { encodeNodeEnvelope } from "@dim/shared";
import type { Logger } from "@dim/shared/node";
import { CoreNode } from "../src/core-node";
import { connectAs, createConversation, createUser, testConfig, useTestDatabase } from "./helpers/cluster";

const db = useTestDatabase();

/** A logger that keeps every entry (level, message, fields). */
function recordingLogger(entries: Array<{ level: string; msg: string; fields: Record<string, unknown> }>): Logger {
  const logger: Record<string, unknown> = {};
  for (const level of ["trace", "debug", "info", "warn", "error", "fatal"]) {
    logger[level] = (fields: unknown, msg?: string) => {
      if (typeof fields === "string") entries.push({ level, msg: fields, fields: {} });
      else entries.push({ level, msg: msg ?? "", fields: (fields ?? {}) as Record<string, unknown> });
    };
  }
  logger.child = () => logger;
  logger.isLevelEnabled = () => true;
  return logger as unknown as Logger;
}

describe("bus envelopes on a core node", () => {
  it("drops and logs unknown and malformed envelopes, and still delivers the next one", async () => {
    const hub = new MemoryHub();
    const infra = createMemoryInfra(hub);
    const entries: Array<{ level: string; msg: string; fields: Record<string, unknown> }> = [];
    const nodeId = `env-${randomUUID().slice(0, 6)}`;
    const node = new CoreNode({ config: testConfig({ nodeId }), store: db.store, contactPresence: db.contactPresence, ...infra, logger: recordingLogger(entries) });
    onTestFinished(async () => {
      await node.stop();
      await infra.close();
    });
    const started = await node.start();
    const alice = await createUser(db.prisma);
    const bob = await createUser(db.prisma);
    const conv = await createConversation(db.prisma, [alice, bob]);
    const { client: b } = await connectAs(started, bob);

    const sender = createMemoryInfra(hub).bus;
    await sender.publish(nodeId, conv, JSON.stringify({ type: "call.ringing", conversationId: conv, userId: alice }));
    await sender.publish(nodeId, conv, "{not json");
    await sender.publish(nodeId, conv, JSON.stringify({ type: "receipt", conversationId: conv, userId: alice, kind: "read", seq: 1, recipients: [bob], extra: 1 }));
    const receipt = { type: "receipt", conversationId: conv, userId: alice, kind: "read", seq: 1 } as const;
    const { key, payload } = encodeNodeEnvelope({ ...receipt, recipients: [bob] });
    await sender.publish(nodeId, key, payload);

    expect(await b.next("receipt")).toEqual(receipt);
    await hub.drain();
    expect(entries.filter((e) => e.msg.includes("unknown type"))).toEqual([
      expect.objectContaining({ level: "warn", fields: { type: "call.ringing" } }),
    ]);
    expect(entries.filter((e) => e.msg === "malformed bus envelope dropped").map((e) => e.level)).toEqual(["error", "error"]);
    expect(node.isAccepting).toBe(true);
  });
});
