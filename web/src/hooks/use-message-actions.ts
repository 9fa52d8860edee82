"use client";
import { useCallback, useMemo, useRef, useState } from "react";
import { toAppError, type ChatMessage, type DimClient, type MentionOptions } from "@dim/client";
import { ErrorCode } from "@dim/shared";
import type { MessageHandlers } from "@/components/chat/message-actions";
import type { Translator } from "@/i18n";
import { useClientEvent } from "./use-client-event";
import { useTranslatorRef } from "./use-error-text";

/** What the composer is doing besides writing a new message. */
export type ComposerMode = { kind: "reply"; message: ChatMessage } | { kind: "edit"; message: ChatMessage } | null;

/**
 * Reply, edit, delete (for everyone / for me) and reactions on one conversation's messages, the
 * composer's reply or edit mode, and one sentence when the server refused one of them (e.g. the
 * edit window closed). A refused event is taken out of the outbox: retrying cannot help.
 */
export function useMessageActions(client: DimClient | null, conversationId: string) {
  const tRef = useTranslatorRef();
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
    setProblem(refusal(what, change.error?.code, tRef.current));
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
        setProblem(refusal(what, toAppError(e).code, tRef.current));
        return false;
      }
    },
    [client, tRef],
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

function refusal(what: "edit" | "delete" | "reaction" | "reply", code: string | undefined, t: Translator): string {
  if (code === ErrorCode.WindowClosed) return what === "edit" ? t("actions.editClosed") : t("actions.deleteClosed");
  if (code === ErrorCode.Forbidden) return t("actions.forbidden");
  if (code === ErrorCode.NotFound) return t("actions.gone");
  if (what === "reaction") return t("actions.reactionFailed");
  return t("actions.failed", { what });
}
