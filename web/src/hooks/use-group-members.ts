"use client";
import { useCallback, useEffect, useState } from "react";
import type { DimClient } from "@dim/client";
import type { GroupMember } from "@dim/shared";
import { shownError } from "@/lib/errors";
import { gateway } from "@/lib/gateway";
import { membershipEventOf } from "@/lib/group-client";
import { readCache, writeCache } from "@/lib/idb-store";
import { rememberPeople } from "@/lib/people";
import { useClientEvent } from "./use-client-event";
import { useRefresh } from "./use-refresh";

interface MembersData {
  members: GroupMember[];
  total: number;
}

/**
 * A group's members with their roles (`groups.members`, every page), while the group is open and
 * I am a member: on open, on every (re)connect and on the client's `membership` event for it.
 * Kept in IndexedDB so an offline start still shows names and roles.
 */
export function useGroupMembers(client: DimClient | null, conversationId: string, active: boolean) {
  const [data, setData] = useState<MembersData | null>(null);
  const [error, setError] = useState<string | null>(null);
  const key = `members:${conversationId}` as const;

  const refresh = useRefresh(
    useCallback(async () => {
      if (!active) return;
      try {
        const members: GroupMember[] = [];
        let cursor: string | undefined;
        let total = 0;
        do {
          const page = await gateway().groups.members.query({ conversationId, ...(cursor ? { cursor } : {}) });
          members.push(...page.members);
          total = page.total;
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
        const next = { members, total };
        setData(next);
        setError(null);
        rememberPeople(members.map((m) => m.user));
        void writeCache(key, next);
      } catch (e) {
        setError(shownError(e).message);
      }
    }, [active, conversationId, key]),
  );

  useEffect(() => {
    void readCache<MembersData>(key).then((cached) => {
      if (cached) {
        setData((d) => d ?? cached);
        rememberPeople(cached.members.map((m) => m.user));
      }
    });
    void refresh();
  }, [key, refresh]);
  useClientEvent(client, "membership", (payload) => {
    if (membershipEventOf(payload)?.conversationId === conversationId) void refresh();
  });
  // A system message is the change itself: also the doorbell when no `membership` event came.
  useClientEvent(client, "message", (message) => {
    if (message.conversationId === conversationId && message.kind === "system") void refresh();
  });
  useClientEvent(client, "state", (state) => {
    if (state.status === "connected") void refresh();
  });

  return { members: data?.members ?? [], total: data?.total ?? 0, loaded: data !== null, error, refresh };
}
