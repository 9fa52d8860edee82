/**
 * Events in the seq stream (issue 12): edit, delete for everyone and reaction are messages of
 * their own kinds that refer to an earlier seq of the same conversation (`targetSeq`), so sync,
 * history and offline carry them with nothing new. Replies are ordinary messages with `replyTo`.
 * "Delete for me" is not in the stream (it is one user's view): `hide` / `hidden` frames.
 *
 * This file holds the shapes only; protocol.ts puts them into frames and the message schema
 * (it imports nothing from protocol.ts, so the two never form an import cycle).
 */
import emojiRegex from "emoji-regex";
import { z } from "zod";
import { Limits } from "./limits";

/** Message kinds that are events on an earlier message (they carry `targetSeq`). */
export const EVENT_KINDS = ["edit", "delete", "reaction"] as const;
export type EventKind = (typeof EVENT_KINDS)[number];
export const isEventKind = (kind: string): kind is EventKind => (EVENT_KINDS as readonly string[]).includes(kind);

/** A seq an event or reply refers to. */
export const refSeq = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

const EMOJI_RE = emojiRegex();

/** Whether `s` is exactly one emoji (a ZWJ sequence, a flag or a skin-tone variant counts as one). */
export function isSingleEmoji(s: string): boolean {
  if (s.length === 0 || s.length > Limits.maxReactionChars) return false;
  const found = s.match(EMOJI_RE);
  return found !== null && found.length === 1 && found[0] === s;
}

/** A reaction: one emoji, at most Limits.maxReactionChars UTF-16 units. */
export const reactionEmoji = z.string().refine(isSingleEmoji, "a reaction is exactly one emoji");

/** The palette clients offer first; any other single emoji is accepted as well. */
export const REACTION_PALETTE = ["👍", "❤️", "😂", "😮", "😢", "🙏"] as const;

/** Reactions on a message, folded: one entry per emoji, most used first. */
export const reactionSummary = z.strictObject({
  emoji: reactionEmoji,
  count: z.number().int().min(1),
  /** Who reacted with it, in the order they did. */
  userIds: z.array(z.uuid()).min(1),
});
export type ReactionSummary = z.infer<typeof reactionSummary>;

/** "Delete for me": hide these seqs on every device of mine. Answered by `hidden` to all of them. */
export const hideFrame = z.strictObject({
  type: z.literal("hide"),
  conversationId: z.uuid(),
  seqs: z.array(refSeq).min(1).max(Limits.maxHideBatch),
});
export type HideFrame = z.infer<typeof hideFrame>;

/** These seqs are hidden for you (your own `hide`, from any device, or the ones a sync covers). */
export const hiddenFrame = z.strictObject({
  type: z.literal("hidden"),
  conversationId: z.uuid(),
  seqs: z.array(refSeq).min(1),
});
export type HiddenFrame = z.infer<typeof hiddenFrame>;
