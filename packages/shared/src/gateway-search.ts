/**
 * messages.search and conversations.seqAt (docs/protocol.md §19): find messages in your own
 * conversations, and the seq to open a conversation at for a date.
 */
import { z } from "zod";
import { isoDate, seq, uuid } from "./protocol";

export const SearchLimits = {
  /** Shorter queries match too much to be useful; two characters still find a Chinese word. */
  queryMin: 2,
  queryMax: 200,
  defaultResults: 20,
  maxResults: 50,
  /** Characters of the message shown around the first match. */
  snippetMax: 160,
  cursorMax: 200,
} as const;

export const searchMessagesInput = z.strictObject({
  query: z.string().trim().min(SearchLimits.queryMin).max(SearchLimits.queryMax),
  /** Only this conversation (you must be, or have been, a member). */
  conversationId: uuid.optional(),
  /** `nextCursor` of the previous page, opaque. */
  cursor: z.string().min(1).max(SearchLimits.cursorMax).optional(),
  limit: z.number().int().min(1).max(SearchLimits.maxResults).default(SearchLimits.defaultResults),
});
export type SearchMessagesInput = z.infer<typeof searchMessagesInput>;

/** [start, end) in UTF-16 code units of `text` (JavaScript string indices), ascending, disjoint. */
export const highlightRange = z.strictObject({ start: z.number().int().min(0), end: z.number().int().min(1) });
export type HighlightRange = z.infer<typeof highlightRange>;

export const searchSnippet = z.strictObject({
  /** Plain text (never HTML): the message, or a window of it around the first match. */
  text: z.string(),
  highlights: z.array(highlightRange),
  /** Text was cut before / after the window. */
  cutBefore: z.boolean(),
  cutAfter: z.boolean(),
});
export type SearchSnippet = z.infer<typeof searchSnippet>;

export const searchHit = z.strictObject({
  messageId: uuid,
  conversation: z.strictObject({
    id: uuid,
    kind: z.enum(["direct", "group"]),
    /** The group's title, or the other person's display name for a direct conversation. */
    title: z.string(),
  }),
  seq: seq.min(1),
  sender: z.strictObject({ id: uuid, username: z.string(), displayName: z.string() }),
  createdAt: isoDate,
  editedAt: isoDate.nullable(),
  snippet: searchSnippet,
});
export type SearchHit = z.infer<typeof searchHit>;

export const searchMessagesOutput = z.strictObject({
  /** Newest first. */
  results: z.array(searchHit),
  /** Pass as `cursor` for the next (older) page; null when there is none. */
  nextCursor: z.string().nullable(),
});
export type SearchMessagesOutput = z.infer<typeof searchMessagesOutput>;

export const seqAtInput = z.strictObject({ conversationId: uuid, at: isoDate });
export const seqAtOutput = z.strictObject({
  /**
   * The first message of your window sent at or after `at`; the last one when all are older;
   * null when your window has no message.
   */
  seq: seq.min(1).nullable(),
});
