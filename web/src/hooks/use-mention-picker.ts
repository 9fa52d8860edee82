"use client";
import { useCallback, useMemo, useState, type KeyboardEvent, type RefObject } from "react";
import type { MentionOptions } from "@dim/client";
import { activeMentionQuery, allMatches, insertMention, mentionCandidates, mentionsIn, type MentionCandidate } from "@/lib/mentions";
import type { MentionOption } from "@/components/chat/mention-picker";

/** Who can be mentioned in this conversation: a group's members; absent in direct conversations. */
export interface Mentionables {
  members: readonly MentionCandidate[];
  meId: string;
  /** Owners and admins may mention everyone (`@all`). */
  canMentionAll: boolean;
}

/**
 * The composer's `@` autocomplete: open while the caret is in an `@name` (and not dismissed with
 * Escape there), filtered as one types; arrows move, Enter or Tab pick, Escape closes. Keys in an
 * IME composition are left to the IME. `mentionsOf` gives what a body mentions when it is sent.
 */
export function useMentionPicker(
  mentionables: Mentionables | undefined,
  body: string,
  setBody: (text: string) => void,
  ref: RefObject<HTMLTextAreaElement | null>,
) {
  const [caret, setCaret] = useState(0);
  const [active, setActive] = useState(0);
  const [dismissedAt, setDismissedAt] = useState<number | null>(null);

  const query = mentionables ? activeMentionQuery(body, Math.min(caret, body.length)) : null;
  const options = useMemo<MentionOption[]>(() => {
    if (!mentionables || !query || query.start === dismissedAt) return [];
    const all: MentionOption[] = mentionables.canMentionAll && allMatches(query.query) ? [{ kind: "all" }] : [];
    return [...all, ...mentionCandidates(mentionables.members, query.query, mentionables.meId).map((member): MentionOption => ({ kind: "member", member }))];
  }, [mentionables, query?.start, query?.query, dismissedAt]); // eslint-disable-line react-hooks/exhaustive-deps
  const open = options.length > 0;
  const current = Math.min(active, Math.max(0, options.length - 1));

  /** The caret moved or the text changed: follow it (a new `@` starts at the first entry). */
  const track = useCallback((el: HTMLTextAreaElement) => {
    setCaret(el.selectionStart ?? 0);
    setActive(0);
  }, []);

  const pick = useCallback(
    (o: MentionOption) => {
      if (!query) return;
      const next = insertMention(body, query.start, Math.min(caret, body.length), o.kind === "all" ? "all" : o.member.username);
      setBody(next.text);
      setCaret(next.caret);
      // after React wrote the value: the caret after the inserted name
      requestAnimationFrame(() => {
        const el = ref.current;
        if (!el) return;
        el.focus();
        el.setSelectionRange(next.caret, next.caret);
      });
    },
    [body, caret, query, ref, setBody],
  );

  /** Handles the key when the picker is open; true when it did (the composer then does nothing). */
  const onKeyDown = useCallback(
    (e: KeyboardEvent<HTMLTextAreaElement>): boolean => {
      if (!open || e.nativeEvent.isComposing || e.keyCode === 229) return false;
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        const n = options.length;
        setActive((current + (e.key === "ArrowDown" ? 1 : n - 1)) % n);
        return true;
      }
      if ((e.key === "Enter" && !e.shiftKey) || e.key === "Tab") {
        e.preventDefault();
        pick(options[current]!);
        return true;
      }
      if (e.key === "Escape") {
        e.preventDefault();
        setDismissedAt(query?.start ?? null);
        return true;
      }
      return false;
    },
    [current, open, options, pick, query?.start],
  );

  const mentionsOf = useCallback(
    (text: string): MentionOptions => (mentionables ? mentionsIn(text, mentionables.members, mentionables.meId, mentionables.canMentionAll) : {}),
    [mentionables],
  );

  return { open, options, active: current, setActive, pick, onKeyDown, track, mentionsOf };
}
