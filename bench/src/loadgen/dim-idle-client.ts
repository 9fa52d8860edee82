/**
 * A lean DIM client for the connection extras: it opens a WebSocket (RFC 6455 handshake, the
 * Sec-WebSocket-Accept checked), sends `auth` as a masked text frame, waits for `welcome`, then
 * holds the socket idle. Nothing else: no `ws` object, no per-frame JSON beyond the handshake, so
 * one load process can open thousands of authenticated sockets a second without being the
 * bottleneck of the node it measures (the `ws` client costs about as much CPU per connect as the
 * node itself).
 */
import { createHash, randomBytes } from "node:crypto";
import { connect as tcpConnect } from "node:net";
import type { Conn } from "./drivers";
import type { ConnSpec } from "./messages";

/** RFC 6455 §1.3. */
const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const TIMEOUT_MS = 20_000;

/** A client → server text frame: FIN, opcode 1, masked. */
function maskedText(text: string): Buffer {
  const payload = Buffer.from(text, "utf8");
  const n = payload.length;
  const headerLength = n < 126 ? 2 : n < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + 4 + n);
  frame[0] = 0x81;
  if (n < 126) frame[1] = 0x80 | n;
  else if (n < 65_536) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(n, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeBigUInt64BE(BigInt(n), 2);
  }
  const mask = randomBytes(4);
  mask.copy(frame, headerLength);
  for (let i = 0; i < n; i++) frame[headerLength + 4 + i] = payload[i]! ^ mask[i & 3]!;
  return frame;
}

/** One complete server frame at the start of `buf`, or undefined when more bytes are needed. */
function readFrame(buf: Buffer): { opcode: number; payload: Buffer; size: number } | undefined {
  if (buf.length < 2) return undefined;
  const opcode = buf[0]! & 0x0f;
  let n = buf[1]! & 0x7f;
  let offset = 2;
  if (n === 126) {
    if (buf.length < 4) return undefined;
    n = buf.readUInt16BE(2);
    offset = 4;
  } else if (n === 127) {
    if (buf.length < 10) return undefined;
    n = Number(buf.readBigUInt64BE(2));
    offset = 10;
  }
  if (buf.length < offset + n) return undefined;
  return { opcode, payload: buf.subarray(offset, offset + n), size: offset + n };
}

/** Opens, authenticates (resolves on `welcome`) and then holds the socket without reading frames. */
export function connectDimIdle(spec: ConnSpec): Promise<Conn> {
  const url = new URL(spec.url);
  const key = randomBytes(16).toString("base64");
  const accept = createHash("sha1").update(key + GUID).digest("base64");
  const socket = tcpConnect({ host: url.hostname, port: Number(url.port), localAddress: spec.localAddress });
  socket.setNoDelay(true);
  return new Promise<Conn>((resolve, reject) => {
    let buf: Buffer = Buffer.alloc(0);
    let upgraded = false;
    let settled = false;
    const timer = setTimeout(() => fail(new Error(`dim connect ${spec.url}: timed out after ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
    function fail(err: Error): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    }
    function done(): void {
      settled = true;
      clearTimeout(timer);
      socket.removeAllListeners("data");
      socket.removeAllListeners("close");
      socket.removeAllListeners("error");
      socket.on("error", () => socket.destroy());
      resolve({
        send() {
          throw new Error("an idle connection does not send");
        },
        close: () => socket.destroy(),
      });
    }
    socket.once("connect", () => {
      socket.write(
        `GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    socket.on("error", (err) => fail(err));
    socket.on("close", () => fail(new Error(`closed before welcome`)));
    socket.on("data", (chunk: Buffer) => {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      if (!upgraded) {
        const end = buf.indexOf("\r\n\r\n");
        if (end === -1) return;
        const head = buf.subarray(0, end).toString("latin1");
        const lines = head.split("\r\n");
        if (!lines[0]!.startsWith("HTTP/1.1 101")) return fail(new Error(`upgrade refused: ${lines[0]}`));
        const acceptLine = lines.find((l) => l.toLowerCase().startsWith("sec-websocket-accept:"));
        if (acceptLine?.slice(acceptLine.indexOf(":") + 1).trim() !== accept) return fail(new Error("bad Sec-WebSocket-Accept"));
        upgraded = true;
        buf = buf.subarray(end + 4);
        socket.write(maskedText(JSON.stringify({ type: "auth", v: 1, token: spec.token })));
      }
      for (let frame = readFrame(buf); frame; frame = readFrame(buf)) {
        buf = buf.subarray(frame.size);
        if (frame.opcode === 0x8) return fail(new Error(`closed before welcome: ${frame.payload.length >= 2 ? frame.payload.readUInt16BE(0) : ""} ${frame.payload.subarray(2).toString()}`));
        if (frame.opcode !== 0x1) continue;
        const f = JSON.parse(frame.payload.toString("utf8")) as { type: string; code?: string; message?: string };
        if (f.type === "welcome") return done();
        if (f.type === "error") return fail(new Error(`${f.code}: ${f.message}`));
      }
    });
  });
}
