/**
 * A logout ends the session everywhere: the gateway tells every live node (`session.ended`), each
 * closes its sockets of that session with SessionEnded (4402), and a socket token fetched before
 * the logout is refused at `auth` (the node checks the session in PostgreSQL). Real gateway, two
 * real nodes, one in-memory bus. An admin's disableUser does the same for every session of the
 * user (issue 13).
 */
import { describe, expect, it } from "vitest";
import { CloseCode } from "@dim/shared";
import { TestClient } from "./helpers/test-client";
import { useGroupSystem, type GatewayClient } from "./helpers/group-system";

const sys = useGroupSystem({ nodes: 2 });

/** A token for exactly this node (the others excluded). */
async function tokenOn(client: GatewayClient, nodeId: string) {
  const exclude = sys.nodes.map((n) => n.nodeId).filter((id) => id !== nodeId);
  const assigned = await client.nodes.assign.mutate({ exclude });
  expect(assigned.nodeId).toBe(nodeId);
  return assigned;
}

async function open(wsUrl: string, token: string): Promise<TestClient> {
  const socket = await TestClient.connect(wsUrl);
  socket.send({ type: "auth", v: 1, token });
  return socket;
}

describe("session end", () => {
  it("admin.disableUser closes every socket of the user on both nodes with 4402; a token fetched before is refused", async () => {
    const admin = await sys.register(); // the first account of this database: the admin
    expect((await admin.client.auth.me.query()).isAdmin).toBe(true);
    const bob = await sys.register();
    const [n0, n1] = sys.nodes as [(typeof sys.nodes)[0], (typeof sys.nodes)[0]];
    const laptop = await sys.login(bob.username); // a second session: another device
    const sockets: TestClient[] = [];
    for (const [client, node] of [[bob.client, n0], [bob.client, n1], [laptop, n0], [laptop, n1]] as const) {
      const t = await tokenOn(client, node.nodeId);
      const s = await open(t.wsUrl, t.token);
      await s.next("welcome");
      sockets.push(s);
    }
    const adminOn1 = await tokenOn(admin.client, n1.nodeId);
    const adminSocket = await open(adminOn1.wsUrl, adminOn1.token);
    await adminSocket.next("welcome");
    const early = await tokenOn(laptop, n1.nodeId);

    expect(await admin.client.admin.disableUser.mutate({ userId: bob.id })).toMatchObject({ sessionsEnded: 2 });
    for (const s of sockets) expect(await s.waitClosed()).toMatchObject({ code: CloseCode.SessionEnded });

    const late = await open(early.wsUrl, early.token);
    expect(await late.next("error")).toMatchObject({ code: "UNAUTHORIZED", ref: "auth" });
    expect((await late.waitClosed()).code).toBe(CloseCode.SessionEnded);

    await adminSocket.roundTrip();
    expect(adminSocket.ws.readyState).toBe(adminSocket.ws.OPEN);
    adminSocket.close();
  });

  it("logout closes the session's sockets on both nodes with 4402; another session's socket stays", async () => {
    const ann = await sys.register();
    const [n0, n1] = sys.nodes as [(typeof sys.nodes)[0], (typeof sys.nodes)[0]];
    const on0 = await tokenOn(ann.client, n0.nodeId);
    const on1 = await tokenOn(ann.client, n1.nodeId);
    const s0 = await open(on0.wsUrl, on0.token);
    const s1 = await open(on1.wsUrl, on1.token);
    await s0.next("welcome");
    await s1.next("welcome");
    // the same user's other session (another device) is not signed out
    const other = await sys.login(ann.username);
    const otherOn1 = await tokenOn(other, n1.nodeId);
    const keep = await open(otherOn1.wsUrl, otherOn1.token);
    await keep.next("welcome");
    // fetched before the logout, used after it
    const early = await tokenOn(ann.client, n0.nodeId);

    await ann.client.auth.logout.mutate();
    for (const s of [s0, s1]) expect(await s.waitClosed()).toMatchObject({ code: CloseCode.SessionEnded });

    const late = await open(early.wsUrl, early.token);
    expect(await late.next("error")).toMatchObject({ code: "UNAUTHORIZED", ref: "auth" });
    expect((await late.waitClosed()).code).toBe(CloseCode.SessionEnded);
    expect(late.all("welcome")).toEqual([]);

    await keep.roundTrip();
    expect(keep.ws.readyState).toBe(keep.ws.OPEN);
    keep.close();
  });
});
