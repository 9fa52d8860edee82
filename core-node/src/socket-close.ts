/**
 * Closing a client socket so that its close code reaches the client. ws queues the close frame
 * behind whatever the socket has not written yet, and TCP delivers in order: the client sees the
 * code only once it has read everything sent before it. Destroying the socket while the frame
 * still waits in the node's buffer loses it, and the client sees 1006 (which §14 treats as a dead
 * node). So the socket is destroyed only after a bounded wait for the client's answering close
 * frame: CLOSE_GRACE_MS normally, SLOW_CONSUMER_CLOSE_GRACE_MS for a SlowConsumer close, whose
 * frame waits behind up to DIM_MAX_BUFFERED_BYTES the client was slow to read.
 */
import type { WebSocket } from "ws";
import { CloseCode } from "@dim/shared";

/** How long a closing socket may take to finish the close handshake before it is destroyed. */
export const CLOSE_GRACE_MS = 2000;
/**
 * A SlowConsumer close: a client that resumes reading within this long reads its buffered frames,
 * then 4430. It is bounded: the socket's buffer stays held until then (ws itself gives up at 30 s).
 */
export const SLOW_CONSUMER_CLOSE_GRACE_MS = 10_000;

/**
 * Starts the close handshake; returns the timer that destroys the socket if the client has not
 * answered in time (cleared by the caller once the socket closed).
 */
export function startClose(ws: WebSocket, code: number, reason: string, onError: (err: unknown) => void): NodeJS.Timeout {
  if (ws.isPaused) ws.resume(); // the peer's close frame must be read (and unread input would make the kernel reset)
  try {
    ws.close(code, truncateReason(reason));
  } catch (err) {
    onError(err);
    ws.terminate();
  }
  const timer = setTimeout(() => ws.terminate(), code === CloseCode.SlowConsumer ? SLOW_CONSUMER_CLOSE_GRACE_MS : CLOSE_GRACE_MS);
  timer.unref();
  return timer;
}

/** Close reasons are limited to 123 bytes by RFC 6455. */
function truncateReason(reason: string): string {
  let r = reason;
  while (Buffer.byteLength(r, "utf8") > 123) r = r.slice(0, -1);
  return r;
}
