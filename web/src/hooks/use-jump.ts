"use client";
import { useCallback, useRef, useState } from "react";
import type { DimClient } from "@dim/client";
import { useErrorText } from "./use-error-text";
import { gateway } from "@/lib/gateway";
import { loadThrough } from "@/lib/load-through";

/**
 * Jumps in the open conversation: to a seq (a search result, the first unread) or a day
 * (conversations.seqAt). `focus` is what the message list scrolls to and outlines.
 */
export function useJump(client: DimClient | null, conversationId: string) {
  const errorText = useErrorText();
  const [focus, setFocus] = useState<{ seq: number; n: number } | null>(null);
  const [jumpError, setJumpError] = useState<string | null>(null);
  const [jumping, setJumping] = useState(false);
  const count = useRef(0);

  const toSeq = useCallback(
    async (seq: number) => {
      if (!client) return;
      setJumping(true);
      setJumpError(null);
      try {
        await loadThrough(client, conversationId, seq);
        count.current += 1;
        setFocus({ seq, n: count.current });
      } catch (e) {
        setJumpError(errorText(e));
      } finally {
        setJumping(false);
      }
    },
    [client, conversationId],
  );

  /** `day`: "YYYY-MM-DD" from a date input, the start of that day in the person's time zone. */
  const toDay = useCallback(
    async (day: string) => {
      const at = new Date(`${day}T00:00:00`);
      if (Number.isNaN(at.getTime())) return setJumpError("Pick a date first.");
      setJumpError(null);
      try {
        const { seq } = await gateway().conversations.seqAt.query({ conversationId, at: at.toISOString() });
        if (seq === null) setJumpError("No messages to jump to.");
        else await toSeq(seq);
      } catch (e) {
        setJumpError(errorText(e));
      }
    },
    [conversationId, toSeq],
  );

  return { focus, jumpError, jumping, toSeq, toDay };
}
