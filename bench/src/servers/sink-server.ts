/**
 * The upload baseline: a trivial node:http server that reads a POST body and discards it, then
 * answers 201 with the byte count — what moving the bytes over loopback costs, with no parsing,
 * hashing, disk or database. Its own process, like the gateway, so both are measured alike.
 * Reports {ready, url} over IPC.
 */
import { createServer } from "node:http";

const server = createServer((req, res) => {
  let bytes = 0;
  req.on("data", (chunk: Buffer) => (bytes += chunk.length));
  req.on("end", () => {
    res.writeHead(201, { "content-type": "application/json" });
    res.end(JSON.stringify({ bytes }));
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
