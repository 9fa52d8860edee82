/** publishToUsers: users → their nodes → one envelope per node, on the in-process infrastructure. */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parseNodeEnvelope, type NodeEnvelope } from "@dim/shared";
import { createLogger } from "@dim/shared/node";
import { publishToUsers } from "../src/fanout/publish-to-users";
import { MemoryHub, createMemoryInfra } from "../src/memory/index";
import type { Bus } from "../src/types";

const logger = createLogger("publish-to-users-test", { level: "silent" });

async function setup() {
  const hub = new MemoryHub({ logger });
  const infra = createMemoryInfra(hub);
  const got = new Map<string, NodeEnvelope[]>();
  for (const node of ["node-a", "node-b", "node-c"]) {
    got.set(node, []);
    await infra.bus.subscribe(node, async (payload) => {
      const parsed = parseNodeEnvelope(payload);
      if (!parsed.ok) throw parsed.error;
      got.get(node)!.push(parsed.envelope);
    });
  }
  return { hub, infra, got };
}

describe("publishToUsers", () => {
  it("publishes one envelope per node naming that node's users, none to the excepted node", async () => {
    const { hub, infra, got } = await setup();
    const [u1, u2, u3, u4, offline] = Array.from({ length: 5 }, () => randomUUID());
    await infra.presence.claim(
      [
        { userId: u1!, nodeId: "node-a", connectionId: "c1" },
        { userId: u1!, nodeId: "node-b", connectionId: "c2" },
        { userId: u2!, nodeId: "node-b", connectionId: "c3" },
        { userId: u2!, nodeId: "node-b", connectionId: "c4" },
        { userId: u3!, nodeId: "node-c", connectionId: "c5" },
        { userId: u4!, nodeId: "node-c", connectionId: "c6" },
      ],
      60_000,
    );
    const conversationId = randomUUID();
    const fanOut = await publishToUsers({
      bus: infra.bus,
      routes: infra.presence,
      userIds: [u1!, u2!, u3!, offline!],
      envelope: (recipients) => ({ type: "receipt", conversationId, userId: u4!, kind: "read", seq: 3, recipients }),
      exceptNodeId: "node-c",
      logger,
    });
    await fanOut.acknowledged;
    await hub.drain();
    expect(fanOut.nodes).toBe(2);
    const receipt = { type: "receipt", conversationId, userId: u4, kind: "read", seq: 3 };
    expect(got.get("node-a")).toEqual([{ ...receipt, recipients: [u1] }]);
    expect(got.get("node-b")).toHaveLength(1);
    expect(got.get("node-b")![0]).toMatchObject(receipt);
    expect(new Set((got.get("node-b")![0] as { recipients: string[] }).recipients)).toEqual(new Set([u1, u2]));
    expect(got.get("node-c")).toEqual([]);
    await infra.close();
  });

  it("a failed lookup or publish is logged, not thrown: the fan-out still resolves", async () => {
    const { infra } = await setup();
    const user = randomUUID();
    const envelope = (): NodeEnvelope => ({ type: "routes.ack", from: "node-x", ref: randomUUID() });
    const failedLookup = await publishToUsers({
      bus: infra.bus,
      routes: { routesOf: () => Promise.reject(new Error("presence down")) },
      userIds: [user],
      envelope,
      logger,
    });
    expect(failedLookup.nodes).toBe(0);
    await expect(failedLookup.acknowledged).resolves.toBeUndefined();

    const refusing: Pick<Bus, "publish"> = { publish: () => Promise.reject(new Error("bus down")) };
    const failedPublish = await publishToUsers({
      bus: refusing,
      routes: { routesOf: async () => [{ userId: user, nodeId: "node-a", connectionId: "c1" }] },
      userIds: [user],
      envelope,
      logger,
    });
    expect(failedPublish.nodes).toBe(1);
    await expect(failedPublish.acknowledged).resolves.toBeUndefined();
    await infra.close();
  });
});
