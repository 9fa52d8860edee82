"use client";
import { useCallback, useEffect, useRef, useState } from "react";
import type { DimClient } from "@dim/client";
import type { BlockedUser, Contact, ContactRequest, PublicUser } from "@dim/shared";
import { useErrorText } from "./use-error-text";
import { shownError, type ShownError } from "@/lib/errors";
import { gateway } from "@/lib/gateway";
import { readCache, writeCache } from "@/lib/idb-store";
import { rememberPeople } from "@/lib/people";
import { useClientEvent } from "./use-client-event";
import { useRefresh } from "./use-refresh";

interface ContactsData {
  contacts: Contact[];
  incoming: ContactRequest[];
  outgoing: ContactRequest[];
  blocked: BlockedUser[];
}

/** `user` wherever a list shows them (a profile pushed by the server). */
function withProfile(data: ContactsData, user: PublicUser): ContactsData {
  const swap = <T extends { user: PublicUser }>(rows: T[]) => rows.map((r) => (r.user.id === user.id ? { ...r, user } : r));
  const swapRequest = (r: ContactRequest) => ({ ...r, from: r.from.id === user.id ? user : r.from, to: r.to.id === user.id ? user : r.to });
  return { contacts: swap(data.contacts), blocked: swap(data.blocked), incoming: data.incoming.map(swapRequest), outgoing: data.outgoing.map(swapRequest) };
}

/**
 * Contacts, contact requests and blocked users. Not polled: the server pushes a `contacts` frame
 * for every change (a request, an accept or decline, a removal, a block on another device of
 * mine, a profile); the lists are read again then, and after every (re)connect — a device that
 * was offline missed the frames. `onContactsChanged` runs when a conversation may have appeared
 * or changed (an accept, a removal: the conversation list is read again). `onProfile` gets a
 * pushed profile (my own included).
 */
export function useContacts(client: DimClient | null, onContactsChanged: () => void, onProfile?: (user: PublicUser) => void) {
  const errorText = useErrorText();
  const [data, setData] = useState<ContactsData | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<Set<string>>(new Set());
  const contactCount = useRef<number | null>(null);

  const refresh = useRefresh(
    useCallback(async () => {
      try {
        const api = gateway();
        const [contacts, requests, blocked] = await Promise.all([api.contacts.list.query(), api.contacts.requests.query(), api.contacts.blocked.query()]);
        // A new contact (our request accepted by them) means a new conversation to list.
        if (contactCount.current !== null && contacts.length !== contactCount.current) onContactsChanged();
        contactCount.current = contacts.length;
        const next = { contacts, incoming: requests.incoming, outgoing: requests.outgoing, blocked };
        setData(next);
        setError(null);
        void writeCache("contacts", next);
      } catch (e) {
        setError(errorText(e));
      }
    }, [onContactsChanged, errorText]),
  );

  useEffect(() => {
    void readCache<ContactsData>("contacts").then((cached) => {
      if (cached) setData((d) => d ?? { ...cached, blocked: cached.blocked ?? [] });
    });
    void refresh();
  }, [refresh]);
  // Catch up after every (re)connect: pushes are not replayed.
  useClientEvent(client, "state", (state) => {
    if (state.status === "connected") void refresh();
  });
  useClientEvent(client, "contacts", (frame) => {
    if (frame.event === "profile") {
      rememberPeople([frame.user]);
      setData((d) => (d ? withProfile(d, frame.user) : d));
      onProfile?.(frame.user);
      // Conversation titles and avatars come from the summaries.
      onContactsChanged();
      return;
    }
    void refresh();
    if (frame.event === "accepted" || frame.event === "removed") onContactsChanged();
  });

  const withBusy = useCallback(
    async (key: string, action: () => Promise<unknown>): Promise<ShownError | null> => {
      setBusy((b) => new Set(b).add(key));
      try {
        await action();
        await refresh();
        onContactsChanged();
        return null;
      } catch (e) {
        return shownError(e);
      } finally {
        setBusy((b) => {
          const next = new Set(b);
          next.delete(key);
          return next;
        });
      }
    },
    [refresh, onContactsChanged],
  );

  return {
    contacts: data?.contacts ?? [],
    incoming: (data?.incoming ?? []).filter((r) => r.status === "pending"),
    outgoing: (data?.outgoing ?? []).filter((r) => r.status === "pending"),
    blocked: data?.blocked ?? [],
    loaded: data !== null,
    error,
    busy,
    refresh,
    request: (username: string) => withBusy("request", () => gateway().contacts.request.mutate({ username })),
    accept: (requestId: string) => withBusy(requestId, () => gateway().contacts.accept.mutate({ requestId })),
    decline: (requestId: string) => withBusy(requestId, () => gateway().contacts.decline.mutate({ requestId })),
    remove: (userId: string) => withBusy(`remove:${userId}`, () => gateway().contacts.remove.mutate({ userId })),
    block: (userId: string) => withBusy(`block:${userId}`, () => gateway().contacts.block.mutate({ userId })),
    unblock: (userId: string) => withBusy(`unblock:${userId}`, () => gateway().contacts.unblock.mutate({ userId })),
  };
}

export type ContactsApi = ReturnType<typeof useContacts>;
