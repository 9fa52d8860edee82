"use client";
import { useEffect, useState } from "react";
import { SearchLimits, type SearchHit } from "@dim/shared";
import { useErrorText } from "./use-error-text";
import { gateway } from "@/lib/gateway";

/** Waits for a pause in typing before asking: one search per pause, not one per key. */
const DEBOUNCE_MS = 250;

/** messages.search for what is typed (newest first, the first page). */
export function useMessageSearch(query: string) {
  const errorText = useErrorText();
  const [results, setResults] = useState<SearchHit[]>([]);
  const [searching, setSearching] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const q = query.trim();
  const ready = q.length >= SearchLimits.queryMin;
  useEffect(() => {
    if (!ready) {
      setResults([]);
      setError(null);
      setSearching(false);
      return;
    }
    let live = true;
    setSearching(true);
    const timer = setTimeout(() => {
      gateway()
        .messages.search.query({ query: q })
        .then((r) => {
          if (!live) return;
          setResults(r.results);
          setError(null);
        })
        .catch((e: unknown) => {
          if (live) setError(errorText(e));
        })
        .finally(() => {
          if (live) setSearching(false);
        });
    }, DEBOUNCE_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [q, ready]);
  return { results, searching, error, ready };
}
