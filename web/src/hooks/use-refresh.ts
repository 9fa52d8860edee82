"use client";
import { useCallback, useRef } from "react";

/**
 * Wraps a loader so calls never overlap: a call made while one runs schedules exactly one more
 * run after it (the answer then reflects everything that happened before the call).
 */
export function useRefresh(load: () => Promise<void>): () => Promise<void> {
  const loadRef = useRef(load);
  loadRef.current = load;
  const running = useRef<Promise<void> | null>(null);
  const again = useRef(false);
  return useCallback(() => {
    if (running.current) {
      again.current = true;
      return running.current;
    }
    const run = async (): Promise<void> => {
      try {
        do {
          again.current = false;
          await loadRef.current();
        } while (again.current);
      } finally {
        running.current = null;
      }
    };
    running.current = run();
    return running.current;
  }, []);
}
