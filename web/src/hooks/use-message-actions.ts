"use client";
import { useCallback, useMemo, useRef, useState } from "react";
import { toAppError, type ChatMessage, type DimClient, type MentionOptions } from "@dim/client";
import { ErrorCode } from "@dim/shared";
import type { MessageHandlers } from "@/components/chat/message-actions";
import { useClientEvent } from "./use-client-event";

/** What the composer is doing besides writing a new message. */
export type ComposerMode = { kind: "reply"; message: ChatMessage } | { kind: "edit"; message: ChatMessage } | null;

/**
 * Reply, edit, delete (for everyone / for me) and reactions on one conversation's messages, the
 * composer's reply or edit mode, and one sentence when the server refused one of them (e.g. the
 * edit window closed). A refused event is taken out of the outbox: retrying cannot help.
 */
export function useMessageActions(client: DimClient | null, conversationId: string) {
  const [mode, setMode] = useState<ComposerMode>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const pending = useRef(new Map<string, "edit" | "delete" | "reaction" | "reply">());

  useClientEvent(client, "messageState", (change) => {
    const what = pending.current.get(change.clientMsgId);
    if (!what) return;
    if (change.state !== "failed") {
      if (change.state !== "sending") pending.current.delete(change.clientMsgId);
      return;
    }
    pending.current.delete(change.clientMsgId);
    setProblem(refusal(what, change.error?.code));
    if (what !== "reply") client?.discard(change.clientMsgId);
  });

  const attempt = useCallback(
    (what: "edit" | "delete" | "reaction" | "reply", act: (c: DimClient) => ChatMessage | void): boolean => {
      if (!client) return false;
      setProblem(null);
      try {
        const queued = act(client);
        if (queued) pending.current.set(queued.clientMsgId, what);
        return true;
      } catch (e) {
        setProblem(refusal(what, toAppError(e).code, toAppError(e).message));
        return false;
      }
    },
    [client],
  );

  const handlers = useMemo<MessageHandlers>(
    () => ({
      reply: (m) => setMode({ kind: "reply", message: m }),
      edit: (m) => setMode({ kind: "edit", message: m }),
      deleteForEveryone: (m) => void attempt("delete", (c) => c.deleteForEveryone(conversationId, m.seq!)),
      deleteForMe: (m) => void attempt("delete", (c) => c.deleteForMe(conversationId, [m.seq!])),
      react: (m, emoji) => void attempt("reaction", (c) => c.react(conversationId, m.seq!, emoji)),
    }),
    [attempt, conversationId],
  );

  /** The composer's Send in the current mode; returns a sentence when it could not be queued. */
  const submit = useCallback(
    (body: string, mentions: MentionOptions = {}): boolean => {
      const current = mode;
      if (!current) return false;
      const ok =
        current.kind === "reply"
          ? attempt("reply", (c) => c.reply(conversationId, current.message.seq!, body, mentions))
          : attempt("edit", (c) => c.edit(conversationId, current.message.seq!, body, mentions));
      if (ok) setMode(null);
      return ok;
    },
    [attempt, conversationId, mode],
  );

  return { mode, setMode, handlers, submit, problem, clearProblem: () => setProblem(null) };
}

function refusal(what: string, code: string | undefined, message?: string): string {
  if (code === ErrorCode.WindowClosed) {
    return what === "edit" ? "This message can no longer be edited: the time to edit it has passed." : "This message can no longer be deleted for everyone: the time to do so has passed.";
  }
  if (code === ErrorCode.Forbidden) return "You cannot do that to this message.";
  if (code === ErrorCode.NotFound) return "That message is no longer there.";
  if (what === "reaction") return `The reaction was not saved${message ? `: ${message}` : "."}`;
  return message ?? `The ${what} did not go through. Try again.`;
}
