"use client";
import { useEffect, useState } from "react";
import type { PublicUser } from "@dim/shared";
import { searchQueryOf, SEARCH_DEBOUNCE_MS } from "@/lib/contact-search";
import { shownError, type ShownError } from "@/lib/errors";
import { gateway } from "@/lib/gateway";

export type UserSearchState =
  | { status: "idle" }
  | { status: "loading"; query: string; users: PublicUser[] }
  | { status: "done"; query: string; users: PublicUser[] }
  | { status: "error"; query: string; users: PublicUser[]; error: ShownError };

/**
 * People matching what was typed (gateway `users.search`), asked `SEARCH_DEBOUNCE_MS` after the
 * last keystroke. A newer query aborts the older request, so answers never arrive out of order.
 * After RATE_LIMITED it asks again by itself once the wait is over.
 */
export function useUserSearch(typed: string): UserSearchState {
  const [state, setState] = useState<UserSearchState>({ status: "idle" });
  const [retryToken, setRetryToken] = useState(0);
  const input = searchQueryOf(typed);
  const query = input?.query ?? null;
  const limit = input?.limit ?? 0;

  useEffect(() => {
    if (query === null) {
      setState({ status: "idle" });
      return;
    }
    // Keep showing the previous results while the next ones load (no flicker while typing).
    setState((s) => ({ status: "loading", query, users: s.status === "idle" ? [] : s.users }));
    const controller = new AbortController();
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    const timer = setTimeout(() => {
      gateway()
        .users.search.query({ query, limit }, { signal: controller.signal })
        .then((users) => {
          if (!controller.signal.aborted) setState({ status: "done", query, users });
        })
        .catch((e: unknown) => {
          if (controller.signal.aborted) return;
          const error = shownError(e);
          setState((s) => ({ status: "error", query, users: s.status === "idle" ? [] : s.users, error }));
          if (error.retryAt !== undefined) retryTimer = setTimeout(() => setRetryToken((n) => n + 1), Math.max(0, error.retryAt - Date.now()));
        });
    }, SEARCH_DEBOUNCE_MS);
    return () => {
      controller.abort();
      clearTimeout(timer);
      clearTimeout(retryTimer);
    };
  }, [query, limit, retryToken]);

  return query === null ? { status: "idle" } : state;
}
