/** Protocol bounds. Changing one changes the public contract (docs/protocol.md). */
export const PROTOCOL_VERSION = 1;

export const Limits = {
  /** Largest WebSocket frame a core node accepts, in bytes. */
  maxFrameBytes: 64 * 1024,
  /** Longest text message body, in characters. */
  maxBodyChars: 4000,
  /** clientMsgId: 8 to 64 of [A-Za-z0-9_-]. A UUID fits. */
  minClientMsgIdChars: 8,
  maxClientMsgIdChars: 64,
  usernameMin: 3,
  usernameMax: 32,
  passwordMin: 8,
  passwordMax: 256,
  displayNameMax: 64,
  /** A profile's status line, in code points (not UTF-16 units). */
  statusTextMax: 140,
  /** Longest user agent kept for the sessions list (longer ones are cut). */
  userAgentMax: 256,
  /** Most messages in one history page or sync batch. */
  maxPageSize: 200,
  defaultPageSize: 50,
  /** Most results of a user search. */
  maxSearchResults: 20,
  /** Most user ids in one groups.create / groups.addMembers call. */
  maxGroupBatch: 200,
  /** Group title: 1 to this many characters after trimming. */
  groupTitleMax: 64,
  /** Most rows in one page of groups.members / conversations.readers. */
  maxMembersPage: 200,
  defaultMembersPage: 100,
  /** An attachment's file name: 1 to this many characters, no path parts or control characters. */
  attachmentNameMax: 255,
  /** Longest caption of an image or file message, in characters (the text body's bound). */
  maxCaptionChars: 4000,
  /** Longest reaction (one emoji; ZWJ sequences included), in UTF-16 units. */
  maxReactionChars: 32,
  /** Most seqs in one `hide` ("delete for me") frame. */
  maxHideBatch: 100,
  /** Most members one message mentions (`mentions` of a send or edit). */
  maxMentions: 50,
} as const;

/** Default edit / delete-for-everyone windows (DIM_EDIT_WINDOW_MS, DIM_DELETE_WINDOW_MS): 48 h. */
export const DEFAULT_EDIT_WINDOW_MS = 48 * 3600_000;
export const DEFAULT_DELETE_WINDOW_MS = 48 * 3600_000;

/** The seed's ACK clocks: wait, re-send once, wait, then fail (client) / leave to sync (server). */
export const DEFAULT_ACK_TIMEOUT_MS = 4000;
/**
 * How long @dim/client gathers a group's deliveries into one `ack` (the highest contiguous seq
 * held). A 1:1 delivery is ACKed at once (its "delivered" tick is the sender's); a group's goes to
 * the sender as "delivered to k of n", coalesced on the node anyway, so one `ack` per member per
 * half second instead of one per message spares the node a frame and PostgreSQL a cursor row each
 * (issue 10's fan-out). Far under the node's re-push clock (DEFAULT_ACK_TIMEOUT_MS).
 */
export const DEFAULT_GROUP_ACK_DELAY_MS = 500;
export const DEFAULT_HEARTBEAT_MS = 15_000;
export const DEFAULT_IDLE_TIMEOUT_MS = 45_000;
export const DEFAULT_AUTH_TIMEOUT_MS = 5_000;
/** Lifetime of the gateway's socket token. */
export const DEFAULT_SOCKET_TOKEN_TTL_MS = 60_000;
