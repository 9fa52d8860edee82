"use client";
import { useEffect, useState } from "react";

/**
 * false in the server-rendered HTML and until React has hydrated. Forms keep their submit
 * button disabled until then, so an early click never falls back to a native form submit.
 */
export function useHydrated(): boolean {
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  return hydrated;
}
