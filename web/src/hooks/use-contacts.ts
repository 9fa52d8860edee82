"use client";
import { useCallback, useEffect, useRef, useState } from "react";
import type { Contact, ContactRequest } from "@dim/shared";
import { useErrorText } from "./use-error-text";
import { shownError, type ShownError } from "@/lib/errors";
import { gateway } from "@/lib/gateway";
import { readCache, writeCache } from "@/lib/idb-store";
import { usePolling } from "./use-polling";
import { useRefresh } from "./use-refresh";

interface ContactsData {
  contacts: Contact[];
  incoming: ContactRequest[];
  outgoing: ContactRequest[];
}

/**
 * Contacts and contact requests. Requests have no push frame, so they are polled (every 10 s
 * while the tab is visible). `onContactsChanged` runs after an accept (a conversation appears).
 */
export function useContacts(onContactsChanged: () => void) {
  const errorText = useErrorText();
  const [data, setData] = useState<ContactsData | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<Set<string>>(new Set());
  const contactCount = useRef<number | null>(null);

  const refresh = useRefresh(
    useCallback(async () => {
      try {
        const [contacts, requests] = await Promise.all([gateway().contacts.list.query(), gateway().contacts.requests.query()]);
        // A new contact (our request accepted by them) means a new conversation to list.
        if (contactCount.current !== null && contacts.length !== contactCount.current) onContactsChanged();
        contactCount.current = contacts.length;
        const next = { contacts, incoming: requests.incoming, outgoing: requests.outgoing };
        setData(next);
        setError(null);
        void writeCache("contacts", next);
      } catch (e) {
        setError(errorText(e));
      }
    }, [onContactsChanged]),
  );

  useEffect(() => {
    void readCache<ContactsData>("contacts").then((cached) => {
      if (cached) setData((d) => d ?? cached);
    });
    void refresh();
  }, [refresh]);
  usePolling(() => void refresh(), 10_000);

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
    loaded: data !== null,
    error,
    busy,
    refresh,
    request: (username: string) => withBusy("request", () => gateway().contacts.request.mutate({ username })),
    accept: (requestId: string) => withBusy(requestId, () => gateway().contacts.accept.mutate({ requestId })),
    decline: (requestId: string) => withBusy(requestId, () => gateway().contacts.decline.mutate({ requestId })),
  };
}
