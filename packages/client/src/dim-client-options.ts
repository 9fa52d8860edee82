// The options of DimClient (dim-client.ts), apart so that file stays about its public API.
import type { BackoffOptions } from "./backoff";
import type { FileClient } from "./file-client";
import type { ClientStore } from "./store";
import type { ThumbnailCache } from "./thumbnail-cache";
import type { WebSocketConstructor } from "./transport";
import type { DimGateway } from "./types";

export interface DimClientOptions {
  /** Assigns a node (and a socket token bound to it). See `gatewayPort`. */
  gateway: DimGateway;
  /** The WebSocket constructor: the browser's (default when present) or `ws`'s in Node. */
  WebSocket?: WebSocketConstructor;
  /** Persistence; in memory by default. */
  store?: ClientStore;
  /** Sender-leg ACK clock: wait, re-send once, wait, then failed. Default 4000 ms. */
  ackTimeoutMs?: number;
  /** Reconnect backoff (jittered, exponential). Default base 500 ms, cap 30 s. */
  backoff?: Partial<BackoffOptions>;
  /** Randomness for the jitter (tests pin it). */
  random?: () => number;
  /** Deadline for open + auth + welcome on one node before trying another. Default 10 s. */
  connectTimeoutMs?: number;
  /** A heartbeat `ping` unanswered this long means the link is gone (reconnect). Default 5 s. */
  pongTimeoutMs?: number;
  /**
   * After a write, hearing nothing at all from the node for this long sends a `ping` (answered
   * under pongTimeoutMs, or the link is gone): a node that froze while the client kept writing is
   * left within replyProbeMs + pongTimeoutMs, not the node's whole idle timeout. Default 2 s.
   */
  replyProbeMs?: number;
  /**
   * A group's deliveries are ACKed together after this long (one `ack` per window, not per
   * message); 1:1 ones at once. Default DEFAULT_GROUP_ACK_DELAY_MS (500 ms); 0 ACKs groups at once.
   */
  groupAckDelayMs?: number;
  /** Messages per `sync` request. Default Limits.maxPageSize. */
  syncPageSize?: number;
  /**
   * A conversation the client has never held is synced from at most this many messages before
   * its last seq; older ones are paged with `loadOlder`. Default Limits.maxPageSize.
   */
  maxInitialSync?: number;
  /** After each welcome, ask the gateway for the other members' cursors missed while away. Default true. */
  refreshCursorsOnConnect?: boolean;
  newClientMsgId?: () => string;
  now?: () => Date;
  /** Uploads and downloads of attachments (createFileClient); without it `sendAttachment` throws. */
  files?: FileClient;
  /** Where seen thumbnails are kept (the PWA: IndexedDB); in memory by default. */
  thumbnails?: ThumbnailCache;
  /** When the app knows the server's upload limit: larger files are refused before queuing. */
  maxUploadBytes?: number;
}
