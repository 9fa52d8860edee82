/**
 * Baseline (c), the ceiling: a raw `ws` relay with no storage, no validation, no presence. A
 * client says hello {u}; "m" {to, id, b} goes to the recipient's socket (or, when it is not
 * here, to the peer relays over one server-to-server socket each) and "a" {id} back to the sender.
 * Peers are given over IPC ({peers: [url]}) once every relay listens. Reports {ready, port}.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import WebSocket, { WebSocketServer } from "ws";

const http = createServer();
const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
const users = new Map<string, WebSocket>();
const peers: WebSocket[] = [];

wss.on("connection", (ws, req) => {
  const isPeer = req.url?.includes("peer=1") ?? false;
  let me: string | undefined;
  ws.on("message", (data) => {
    const text = data.toString();
    const f = JSON.parse(text) as { t: string; u?: string; to?: string; id?: string; b?: string };
    if (isPeer) {
      // A peer forwards the client frame as is: deliver if the recipient is here.
      users.get(f.to!)?.send(JSON.stringify({ t: "m", from: f.u, id: f.id, b: f.b }));
      return;
    }
    if (f.t === "hello") {
      me = f.u!;
      users.set(me, ws);
      ws.send('{"t":"ok"}');
      return;
    }
    if (f.t === "m" && me) {
      const local = users.get(f.to!);
      if (local) local.send(JSON.stringify({ t: "m", from: me, id: f.id, b: f.b }));
      else {
        const fwd = JSON.stringify({ t: "m", u: me, to: f.to, id: f.id, b: f.b });
        for (const p of peers) p.send(fwd);
      }
      ws.send(JSON.stringify({ t: "a", id: f.id }));
    }
  });
  ws.on("close", () => {
    if (me && users.get(me) === ws) users.delete(me);
  });
});

process.on("message", (m) => {
  const msg = m as { peers?: string[] };
  for (const url of msg.peers ?? []) {
    const ws = new WebSocket(`${url}?peer=1`, { perMessageDeflate: false });
    ws.on("open", () => {
      peers.push(ws);
      if (peers.length === msg.peers!.length) process.send?.({ peered: true });
    });
    ws.on("error", () => undefined);
  }
  if ((msg.peers ?? []).length === 0 && msg.peers) process.send?.({ peered: true });
});

http.listen(0, "127.0.0.1", () => process.send?.({ ready: true, port: (http.address() as AddressInfo).port }));

function stop() {
  for (const p of peers) p.terminate();
  wss.close();
  http.close();
  process.exit(0);
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
process.on("disconnect", stop);
