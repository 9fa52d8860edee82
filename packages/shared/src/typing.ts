/**
 * Typing signals: a client says "I am typing in this conversation"; the other active members'
 * sockets, on every node, are told so with a time to live. Never stored, never given a seq;
 * late ones are dropped. Bounds: EphemeralLimits (ephemeral-limits.ts).
 */
import { z } from "zod";
import { EphemeralLimits } from "./ephemeral-limits";

// Local: protocol.ts imports this file, so its `uuid` is not initialised yet when this one runs.
const uuid = z.uuid();

/**
 * client → server: "I am typing" (a start; there is no stop: a receiver's copy expires after
 * `ttlMs`, and a message from the typist clears it). Only an active member may send it.
 */
export const typingFrame = z.strictObject({
  type: z.literal("typing"),
  conversationId: uuid,
});
export type TypingFrame = z.infer<typeof typingFrame>;

/** server → client: `userId` is typing in the conversation; forget it after `ttlMs` ms. */
export const typingServerFrame = z.strictObject({
  type: z.literal("typing"),
  conversationId: uuid,
  userId: uuid,
  ttlMs: z.number().int().min(0).max(EphemeralLimits.typingTtlMs),
});
export type TypingServerFrame = z.infer<typeof typingServerFrame>;

/**
 * node → node: relay of one `typing`. `recipients` for a 1:1 conversation (the other member, on
 * the target node); absent for a group: the target delivers to its sockets of the active members
 * (after re-reading them when its cache is older than `membershipSeq`). `at`: the origin's
 * wall clock (ms) when it accepted the frame; a target drops a relay older than
 * EphemeralLimits.typingMaxRelayAgeMs.
 */
export const typingEnvelope = z.strictObject({
  type: z.literal("typing"),
  conversationId: uuid,
  userId: uuid,
  membershipSeq: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  at: z.number().int().nonnegative(),
  recipients: z.array(uuid).max(10_000).optional(),
});
export type TypingEnvelope = z.infer<typeof typingEnvelope>;
