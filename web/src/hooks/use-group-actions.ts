"use client";
import { useCallback, useState } from "react";
import { useTranslations } from "@/i18n";
import { shownError } from "@/lib/errors";
import { groupErrorText, type GroupAction } from "@/lib/group-errors";
import { gateway } from "@/lib/gateway";

/**
 * The `groups.*` changes of one group, each a named action with a busy flag; a failure is kept
 * as one sentence (the server's typed error, in words) until the next action.
 */
export function useGroupActions(conversationId: string, onDone: () => void) {
  const tErrors = useTranslations("errors");
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const run = useCallback(
    async (name: string, kind: GroupAction, action: () => Promise<unknown>): Promise<boolean> => {
      setBusy(name);
      setError(null);
      try {
        await action();
        onDone();
        return true;
      } catch (e) {
        setError(groupErrorText(shownError(e), kind, tErrors));
        return false;
      } finally {
        setBusy(null);
      }
    },
    [onDone, tErrors],
  );

  const g = () => gateway().groups;
  return {
    busy,
    error,
    clearError: () => setError(null),
    add: (userIds: string[]) => run("add", "add", () => g().addMembers.mutate({ conversationId, userIds })),
    remove: (userId: string) => run(`remove:${userId}`, "remove", () => g().removeMember.mutate({ conversationId, userId })),
    leave: () => run("leave", "leave", () => g().leave.mutate({ conversationId })),
    rename: (title: string) => run("rename", "rename", () => g().rename.mutate({ conversationId, title })),
    setRole: (userId: string, role: "admin" | "member") => run(`role:${userId}`, "role", () => g().setRole.mutate({ conversationId, userId, role })),
    transfer: (userId: string) => run(`transfer:${userId}`, "transfer", () => g().transferOwnership.mutate({ conversationId, userId })),
  };
}
