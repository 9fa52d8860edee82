/**
 * The per-user socket cap across nodes, on real Redis (presence), ZooKeeper and Kafka: one user
 * may hold at most DIM_MAX_SOCKETS_PER_USER authenticated sockets over all nodes; the newest one
 * past it is refused with LIMIT_EXCEEDED and close code 4409; a closed socket frees its place;
 * the places held by a node that was killed (`kill -9`, no goodbye) come back when its leases
 * expire.
 */
import { describe, expect, it } from "vitest";
import { CloseCode, ErrorCode } from "@dim/shared";
import { TestClient } from "../helpers/test-client";
import { eventually, useSystem, type Person } from "./system";

const CAP = 3;
const system = useSystem({ label: "cap", nodes: 2, nodeEnv: { DIM_MAX_SOCKETS_PER_USER: String(CAP) } });

interface Opened {
  nodeId: string;
  socket: TestClient;
}

/** A raw socket for `person` on the node the gateway assigns (round-robin), authenticated or refused. */
async function open(person: Person, exclude: string[] = []): Promise<Opened & { welcomed: boolean }> {
  const { nodeId, wsUrl, token } = await person.api.nodes.assign.mutate({ exclude });
  const socket = await TestClient.connect(wsUrl);
  socket.send({ type: "auth", v: 1, token });
  const first = await Promise.race([socket.next("welcome", undefined, 15_000), socket.next("error", undefined, 15_000)]);
  return { nodeId, socket, welcomed: first.type === "welcome" };
}

async function expectRefused(opened: Opened & { welcomed: boolean }): Promise<void> {
  expect(opened.welcomed).toBe(false);
  const error = opened.socket.all("error")[0]!;
  expect(error).toMatchObject({ code: ErrorCode.LimitExceeded, ref: "auth" });
  expect(error.message).toContain(`${CAP} connections`);
  expect((await opened.socket.waitClosed(10_000)).code).toBe(CloseCode.TooManySockets);
}

describe("the per-user socket cap across nodes", () => {
  it("refuses the newest socket past the cap on any node, frees a place on close, and gets back a killed node's places once its leases expire", async () => {
    const person = await system.register("capped");
    const held: Opened[] = [];
    for (let i = 0; i < CAP; i++) {
      const opened = await open(person);
      expect(opened.welcomed).toBe(true);
      held.push(opened);
    }
    // Round-robin spread them over both nodes: the count is cluster-wide, not per node.
    expect(new Set(held.map((h) => h.nodeId)).size).toBe(2);

    // One more, on each node: refused, and the three that were open stay open.
    for (let i = 0; i < 2; i++) await expectRefused(await open(person));
    for (const h of held) await h.socket.roundTrip();

    // Another user is not affected.
    const other = await system.register("other");
    const theirs = await open(other);
    expect(theirs.welcomed).toBe(true);
    theirs.socket.close();

    // A closed socket frees its place (released on close).
    const leaving = held.shift()!;
    leaving.socket.close();
    await leaving.socket.waitClosed();
    const again = await eventually(async () => {
      const opened = await open(person);
      if (!opened.welcomed) {
        opened.socket.close();
        throw new Error("still refused");
      }
      return opened;
    }, "a place after a close", 15_000);
    held.push(again);

    // Kill the node that holds the most of them: its leases stay in Redis until they expire.
    const byNode = new Map<string, Opened[]>();
    for (const h of held) byNode.set(h.nodeId, [...(byNode.get(h.nodeId) ?? []), h]);
    const [victimId, onVictim] = [...byNode].sort((a, b) => b[1].length - a[1].length)[0]!;
    const survivorId = [...system.nodes.keys()].find((id) => id !== victimId)!;
    await system.node(victimId).kill9();
    for (const h of onVictim) await h.socket.waitClosed(10_000);
    const survivors = held.filter((h) => h.nodeId !== victimId);

    // Right after the crash the dead node's sockets still count (nothing removed them)...
    const early = await open(person, [victimId]);
    expect(early.nodeId).toBe(survivorId);
    if (!early.welcomed) {
      await expectRefused(early);
    } else {
      // ...unless the leases expired already (DIM_PRESENCE_TTL_MS is 3 s here, the machine may be slow).
      survivors.push(early);
    }
    // ...and once their leases expire (DIM_PRESENCE_TTL_MS), the places come back, up to the cap.
    await eventually(
      async () => {
        while (survivors.length < CAP) {
          const opened = await open(person, [victimId]);
          if (!opened.welcomed) {
            opened.socket.close();
            throw new Error(`${survivors.length} of ${CAP} held; still refused`);
          }
          survivors.push(opened);
        }
      },
      "the dead node's places back",
      30_000,
    );
    await expectRefused(await open(person, [victimId]));
    const live = await system.gatewayInfra.presence.routesOf([person.id]);
    expect(live).toHaveLength(CAP);
    expect(live.every((r) => r.nodeId === survivorId)).toBe(true);
    for (const s of survivors) s.socket.close();
  });
});
