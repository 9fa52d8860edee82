"use client";
import { useCallback, useSyncExternalStore } from "react";
import type { DimClient } from "@dim/client";

const NONE: string[] = [];

/** Who else is typing in this conversation now (the client expires them by itself). */
export function useTypingUsers(client: DimClient | null, conversationId: string): string[] {
  const subscribe = useCallback(
    (onChange: () => void) =>
      client
        ? client.on("typing", (e) => {
            if (e.conversationId === conversationId) onChange();
          })
        : () => {},
    [client, conversationId],
  );
  // typingUsers() builds a new array each call: keep the previous one while its content is the same.
  return useSyncExternalStore(subscribe, () => stable(conversationId, client?.typingUsers(conversationId) ?? NONE), () => NONE);
}

const last = new Map<string, string[]>();
function stable(key: string, next: string[]): string[] {
  const prev = last.get(key);
  if (prev && prev.length === next.length && prev.every((v, i) => v === next[i])) return prev;
  last.set(key, next);
  return next;
}
