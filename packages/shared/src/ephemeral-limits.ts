/**
 * Bounds of the ephemeral signals (typing, online / last seen): never stored, never in the seq
 * stream. Changing one changes the public contract (docs/protocol.md, "Typing" and "Presence").
 */
export const EphemeralLimits = {
  /**
   * A `typing` shown by a receiver expires by itself this long after it arrived (the server
   * frame's `ttlMs` says how much of it is left), or at once when a message of that sender
   * arrives in the conversation.
   */
  typingTtlMs: 6_000,
  /**
   * What the client library sends at most while the user keeps typing: one `typing` per
   * conversation per this interval (it re-sends before the receivers' copy expires).
   */
  typingSendIntervalMs: 3_000,
  /**
   * The server relays at most one `typing` per socket per conversation per this interval; one
   * sooner is answered with RATE_LIMITED (ref "typing", details.retryAfterMs) and not relayed.
   */
  typingMinIntervalMs: 2_000,
  /** A relayed `typing` older than this when it reaches a node is dropped there, never queued. */
  typingMaxRelayAgeMs: 6_000,
  /** Most contacts in one `presence` frame (an answer to `presence.query` is split into several). */
  maxPresenceEntries: 1_000,
  /** Most contacts a `presence.query` answers with (the first ones, by when they were added). */
  maxPresenceQueryContacts: 10_000,
  /** At most one `presence.query` per socket per this interval; a sooner one is RATE_LIMITED. */
  presenceQueryMinIntervalMs: 5_000,
} as const;

/** The default of DIM_PRESENCE_COALESCE_MS: a node's presence changes go out once per window. */
export const DEFAULT_PRESENCE_COALESCE_MS = 1_000;
