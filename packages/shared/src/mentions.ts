/**
 * Mentions in groups (docs/protocol.md §17.1). The text shows `@username`; the message carries
 * the mentioned members' user ids (`mentions`) — the ids are the truth, the text is how they
 * read. A group owner or admin may also mention everyone (`@all` / `@everyone`: `mentionsAll`).
 *
 * This file holds the rules both ends apply (a node validates, clients render and notify); it
 * imports nothing from protocol.ts, so the two never form an import cycle.
 */
import { z } from "zod";
import { Limits } from "./limits";

/** The words that mention every member (only a group's owner or admins may use them). */
export const MENTION_ALL_WORDS = ["all", "everyone"] as const;

/**
 * `@name` tokens of a text: `@` not preceded by a letter, digit, `_` or `@` (so `ana@example.com`
 * is no mention), then a username's characters, up to the first character that cannot be in one.
 * Usernames are lower case ([a-z0-9_]); so are tokens (`@Ana` is no mention of `ana`).
 */
const MENTION_TOKEN_RE = /(?<![A-Za-z0-9_@])@([a-z0-9_]+)(?![A-Za-z0-9_])/g;

/** A token found in a text: its name (without `@`) and where it is, in UTF-16 units ([start, end) includes the `@`). */
export interface MentionToken {
  name: string;
  start: number;
  end: number;
}

export function mentionTokens(text: string): MentionToken[] {
  const out: MentionToken[] = [];
  for (const m of text.matchAll(MENTION_TOKEN_RE)) {
    out.push({ name: m[1]!, start: m.index!, end: m.index! + m[0].length });
  }
  return out;
}

/** The distinct names a text mentions with `@name`. */
export function mentionedNames(text: string): Set<string> {
  return new Set(mentionTokens(text).map((t) => t.name));
}

/** Whether the text holds `@all` or `@everyone`. */
export function mentionsAllToken(text: string): boolean {
  const names = mentionedNames(text);
  return MENTION_ALL_WORDS.some((w) => names.has(w));
}

/** The `mentions` of a send or edit: 1 to Limits.maxMentions distinct user ids. */
export const mentionIds = z
  .array(z.uuid())
  .min(1)
  .max(Limits.maxMentions)
  .refine((ids) => new Set(ids.map((i) => i.toLowerCase())).size === ids.length, "mentions must not name a user twice");

/** What a message carries of its mentions (a stored message, or one being sent). */
export interface MentionFields {
  kind: string;
  senderId: string;
  /** The mentioned members' user ids (absent when none). */
  mentions?: readonly string[] | undefined;
  /** `@all` / `@everyone` by an owner or admin: every member is mentioned. */
  mentionsAll?: true | undefined;
  deletedAt?: string | undefined;
  hidden?: true | undefined;
}

/**
 * Whether `message` mentions `userId`: a text message (not an event row, not deleted, not hidden)
 * from someone else that names the user in `mentions` or mentions everyone. Push notification
 * and mute rules use it: a mention notifies even in a muted group. An edit event row carries the
 * edited text's mentions (so clients can fold them) but is never itself "a mention": editing a
 * message does not notify again.
 */
export function mentionsUser(message: MentionFields, userId: string): boolean {
  if (message.kind !== "text" || message.senderId === userId) return false;
  if (message.deletedAt !== undefined || message.hidden) return false;
  return message.mentionsAll === true || (message.mentions?.includes(userId) ?? false);
}
