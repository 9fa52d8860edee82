/**
 * Mentions in the composer and the bubble, as pure functions: which `@name` is being typed at the
 * caret, who it may be, what picking one inserts, which members a text mentions (its tokens, the
 * protocol's rule: @dim/shared mentions.ts) and how a body splits into text and mentions.
 */
import { Limits, MENTION_ALL_WORDS, mentionTokens, mentionsAllToken } from "@dim/shared";

export interface MentionCandidate {
  id: string;
  username: string;
  displayName: string;
}

/** The `@all` entry of the autocomplete (owners and admins only). */
export const MENTION_ALL = "all";

/** Characters a username may hold (what is typed after `@` while picking). */
const NAME_CHAR = /[a-z0-9_]/i;

/**
 * The `@query` being typed at the caret: an `@` that may start a mention (not after a letter,
 * digit, `_` or `@`), then name characters up to the caret. Null when the caret is not in one.
 */
export function activeMentionQuery(text: string, caret: number): { start: number; query: string } | null {
  let i = caret;
  while (i > 0 && NAME_CHAR.test(text[i - 1]!) && caret - i <= Limits.usernameMax) i--;
  const at = i - 1;
  if (at < 0 || text[at] !== "@") return null;
  if (at > 0 && /[A-Za-z0-9_@]/.test(text[at - 1]!)) return null;
  return { start: at, query: text.slice(i, caret).toLowerCase() };
}

/** Members matching a query: a username or display-name word starting with it (me left out), username matches first. */
export function mentionCandidates(members: readonly MentionCandidate[], query: string, meId: string, limit = 8): MentionCandidate[] {
  const q = query.toLowerCase();
  const scored: Array<{ m: MentionCandidate; rank: number }> = [];
  for (const m of members) {
    if (m.id === meId) continue;
    const byName = m.username.startsWith(q);
    const byDisplay = m.displayName
      .toLowerCase()
      .split(/\s+/)
      .some((w) => w.startsWith(q));
    if (byName || byDisplay) scored.push({ m, rank: byName ? 0 : 1 });
  }
  scored.sort((a, b) => a.rank - b.rank || a.m.username.localeCompare(b.m.username));
  return scored.slice(0, limit).map((s) => s.m);
}

/** Whether the `@all` entry fits a query (for owners and admins). */
export function allMatches(query: string): boolean {
  return MENTION_ALL_WORDS.some((w) => w.startsWith(query.toLowerCase()));
}

/** Replaces the `@query` at [start, caret) with `@username ` and says where the caret goes. */
export function insertMention(text: string, start: number, caret: number, username: string): { text: string; caret: number } {
  const after = text.slice(caret);
  const token = `@${username}${after.startsWith(" ") ? "" : " "}`;
  return { text: text.slice(0, start) + token + after, caret: start + token.length + (after.startsWith(" ") ? 1 : 0) };
}

/**
 * What a text mentions: the members (me left out) whose `@username` is a token of it, in order,
 * at most Limits.maxMentions; and `@all` / `@everyone` when I may use it. Typed or picked, a
 * member's token is a mention; a token of no member is plain text.
 */
export function mentionsIn(
  body: string,
  members: readonly MentionCandidate[],
  meId: string,
  canMentionAll: boolean,
): { mentions?: string[]; mentionsAll?: boolean } {
  const byName = new Map(members.filter((m) => m.id !== meId).map((m) => [m.username, m.id]));
  const ids: string[] = [];
  for (const t of mentionTokens(body)) {
    const id = byName.get(t.name);
    if (id && !ids.includes(id)) ids.push(id);
  }
  return {
    ...(ids.length > 0 ? { mentions: ids.slice(0, Limits.maxMentions) } : {}),
    ...(canMentionAll && mentionsAllToken(body) ? { mentionsAll: true } : {}),
  };
}

/** A body in parts: text, and the tokens of the users it mentions (`me`: a mention of me; `all`: @all / @everyone). */
export type MentionPart = { kind: "text"; text: string } | { kind: "mention"; text: string; me: boolean };

export function mentionParts(
  body: string,
  mentioned: { usernames: ReadonlySet<string>; all: boolean; myUsername: string | null },
): MentionPart[] {
  const parts: MentionPart[] = [];
  let at = 0;
  for (const t of mentionTokens(body)) {
    const everyone = mentioned.all && (MENTION_ALL_WORDS as readonly string[]).includes(t.name);
    if (!everyone && !mentioned.usernames.has(t.name)) continue;
    if (t.start > at) parts.push({ kind: "text", text: body.slice(at, t.start) });
    parts.push({ kind: "mention", text: body.slice(t.start, t.end), me: everyone || t.name === mentioned.myUsername });
    at = t.end;
  }
  if (at < body.length) parts.push({ kind: "text", text: body.slice(at) });
  return parts;
}
