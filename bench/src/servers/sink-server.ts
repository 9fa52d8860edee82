/**
 * The upload baseline: a trivial node:http server that reads a POST body and discards it, then
 * answers 201 with the byte count — what moving the bytes over loopback costs, with no parsing,
 * hashing, disk or database. Its own process, like the gateway, so both are measured alike.
 * Reports {ready, url} over IPC.
 */
import { createServer } from "node:http";

const server = createServer((req, res) => {
  // `?buffer=1`: keeps the whole body and joins it, as a server that buffers uploads would — the
  // memory baseline a streaming upload is compared with.
  const buffer = req.url?.includes("buffer=1") ?? false;
  const chunks: Buffer[] = [];
  let bytes = 0;
  req.on("data", (chunk: Buffer) => {
    bytes += chunk.length;
    if (buffer) chunks.push(chunk);
  });
  req.on("end", () => {
    const held = buffer ? Buffer.concat(chunks).length : bytes;
    res.writeHead(201, { "content-type": "application/json" });
    res.end(JSON.stringify({ bytes, held }));
  });
});
server.listen(0, "127.0.0.1", () => {
  const addr = server.address();
  if (addr && typeof addr === "object") process.send?.({ ready: true, url: `http://127.0.0.1:${addr.port}` });
});

const stop = () => server.close(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
process.on("disconnect", stop);
