/**
 * The embedded default as main.ts composes it: two nodes, each with its own PostgreSQL-backed
 * bus, registry and presence (what separate node processes share), chatting across nodes.
 */
import { describe, expect, it, onTestFinished } from "vitest";
import { createInfra, infraConfigSchema } from "@dim/infra";
import { createLogger, loadConfig } from "@dim/shared/node";
import { CoreNode } from "../src/core-node";
import { clientMsgId, connectAs, createConversation, createUser, testConfig, useTestDatabase, type NodeAddress } from "./helpers/cluster";

const db = useTestDatabase();

async function startEmbeddedNode(nodeId: string): Promise<NodeAddress & { node: CoreNode }> {
  const logger = createLogger("test");
  const infra = await createInfra(loadConfig(infraConfigSchema, { DIM_MODE: "embedded" }, "infra"), { databaseUrl: db.url, logger });
  const node = new CoreNode({ config: testConfig({ nodeId }), store: db.store, contactPresence: db.contactPresence, ...infra, logger });
  onTestFinished(async () => {
    await node.stop();
    await infra.close();
  });
  const started = await node.start();
  return { node, ...started };
}

describe("embedded infrastructure (PostgreSQL bus, registry, presence)", () => {
  it("two nodes route a message, its receipts and a graceful stop", async () => {
    const a = await startEmbeddedNode("emb-a");
    const b = await startEmbeddedNode("emb-b");
    const alice = await createUser(db.prisma);
    const bob = await createUser(db.prisma);
    const conv = await createConversation(db.prisma, [alice, bob]);
    const { client: ca } = await connectAs(a, alice);
    const { client: cb } = await connectAs(b, bob);

    ca.send({ type: "send", conversationId: conv, clientMsgId: clientMsgId(), kind: "text", body: "over postgres" });
    const sent = await ca.next("sent");
    expect((await cb.next("message")).message.id).toBe(sent.messageId);
    cb.send({ type: "read", conversationId: conv, seq: sent.seq });
    expect(await ca.next("receipt")).toMatchObject({ userId: bob, kind: "read", seq: sent.seq });

    await b.node.stop();
    expect((await cb.waitClosed()).code).toBe(4503);
  });
});
