/**
 * Baselines (a) and (b): a minimal Socket.IO 4 chat server, as a Node developer would write it.
 * Several processes share rooms through @socket.io/redis-adapter; each socket joins the room of
 * its user; "m" {to, id, b} is relayed to the recipient's room and acknowledged to the sender.
 * The rooms baseline (socketio-rooms) uses the same server: a socket also joins the group rooms
 * named in its handshake (`auth.rooms`), and "m" to a room name is `io.to(room).emit` to all of
 * them (the sender's own socket included: the load generator ignores that copy).
 * With BENCH_PG_URL set (baseline b) every message is INSERTed into PostgreSQL first.
 * Env: BENCH_REDIS_URL, BENCH_PG_URL (optional). Reports {ready, port} over IPC.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Server } from "socket.io";
import { createAdapter } from "@socket.io/redis-adapter";
import { Redis } from "ioredis";
import pg from "pg";

const redisUrl = process.env.BENCH_REDIS_URL;
if (!redisUrl) throw new Error("BENCH_REDIS_URL is required");
const pgUrl = process.env.BENCH_PG_URL;

const pubClient = new Redis(redisUrl);
const subClient = pubClient.duplicate();
for (const c of [pubClient, subClient]) c.on("error", (err: Error) => console.error(`redis: ${err.message}`));
// Subscribing while a client is still in its ready check races it ("Connection in subscriber mode"):
// the adapter is created once both clients are ready.
await Promise.all([pubClient, subClient].map((c) => (c.status === "ready" ? undefined : new Promise((r) => c.once("ready", r)))));
const pool = pgUrl ? new pg.Pool({ connectionString: pgUrl, max: 10 }) : undefined;
if (pool) {
  await pool.query(`CREATE TABLE IF NOT EXISTS chat_messages (
    id bigserial PRIMARY KEY, sender text NOT NULL, recipient text NOT NULL,
    client_id text NOT NULL, body text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`);
}

const http = createServer();
const io = new Server(http, { transports: ["websocket"], perMessageDeflate: false, serveClient: false });
io.adapter(createAdapter(pubClient, subClient));

io.on("connection", (socket) => {
  const userId = String((socket.handshake.auth as { userId?: unknown }).userId ?? "");
  if (!userId) {
    socket.disconnect(true);
    return;
  }
  const rooms = (socket.handshake.auth as { rooms?: unknown }).rooms;
  const groups = Array.isArray(rooms) ? rooms.filter((r): r is string => typeof r === "string" && r.length > 0) : [];
  void Promise.resolve(socket.join([userId, ...groups])).then(() => socket.emit("ready"));
  socket.on("m", async (p: { to: string; id: string; b: string }, ack?: (r: unknown) => void) => {
    try {
      if (pool) {
        await pool.query("INSERT INTO chat_messages (sender, recipient, client_id, body) VALUES ($1, $2, $3, $4)", [
          userId,
          p.to,
          p.id,
          p.b,
        ]);
      }
      io.to(p.to).emit("m", { from: userId, id: p.id, b: p.b });
      ack?.({ ok: true });
    } catch (err) {
      ack?.({ ok: false, error: err instanceof Error ? err.message : String(err) });
    }
  });
});

http.listen(0, "127.0.0.1", () => {
  process.send?.({ ready: true, port: (http.address() as AddressInfo).port });
});

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  setTimeout(() => process.exit(1), 5_000).unref();
  io.close();
  await pool?.end().catch(() => undefined);
  pubClient.disconnect();
  subClient.disconnect();
  process.exit(0);
}
process.on("SIGTERM", () => void stop());
process.on("SIGINT", () => void stop());
process.on("disconnect", () => void stop());
