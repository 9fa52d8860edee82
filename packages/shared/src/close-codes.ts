/**
 * WebSocket close codes used by core nodes. 4xxx codes are ours; clients switch on them.
 * "reconnect" tells the client whether to reconnect (through the gateway) or stop and ask the
 * person (for example, to log in again).
 */
export const CloseCode = {
  /** Normal closure requested by the client. */
  Normal: 1000,
  /** Origin header not allowed. */
  ForbiddenOrigin: 4003,
  /** No `auth` frame within the authentication deadline. */
  AuthTimeout: 4008,
  /** Too many invalid frames; the connection is not worth keeping. */
  ProtocolViolation: 4400,
  /** The token was missing, invalid, expired, or bound to another node. Get a new one. */
  Unauthorized: 4401,
  /**
   * The gateway session this socket was opened for ended (logout): the person is signed out. Do
   * not reconnect; go to login (a new token would be refused too).
   */
  SessionEnded: 4402,
  /**
   * The user already holds the most authenticated sockets allowed (DIM_MAX_SOCKETS_PER_USER,
   * counted across all nodes); this newest one is refused, after an `error` frame
   * LIMIT_EXCEEDED with `details.limit`. Reconnect only with backoff, once another socket closed.
   */
  TooManySockets: 4409,
  /** No inbound frame (heartbeat or other) within the idle timeout. */
  IdleTimeout: 4408,
  /** The protocol version in `auth` is not supported. */
  UnsupportedVersion: 4426,
  /** The client sent faster than its rate limit for too long. */
  RateLimited: 4429,
  /** The client could not keep up: its send buffer passed the limit. */
  SlowConsumer: 4430,
  /** The node is shutting down or lost its identity: reconnect through the gateway elsewhere. */
  NodeShuttingDown: 4503,
  /**
   * The node is draining (an operator is taking it out): reconnect through the gateway, which
   * assigns another node. Not a crash: the node stays in good standing (it is not excluded).
   */
  NodeDraining: 4504,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** Whether a client should reconnect (via the gateway, with backoff) after this close code. */
export function shouldReconnect(code: number): boolean {
  switch (code) {
    case CloseCode.Normal:
    case CloseCode.ForbiddenOrigin:
    case CloseCode.UnsupportedVersion:
    case CloseCode.ProtocolViolation:
    case CloseCode.SessionEnded:
      return false;
    default:
      return true;
  }
}
