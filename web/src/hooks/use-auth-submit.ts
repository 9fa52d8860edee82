"use client";
import { useRouter } from "next/navigation";
import { useCallback, useState } from "react";
import { shownError, type ShownError } from "@/lib/errors";
import { useCountdown } from "./use-countdown";

/**
 * Runs a login or register call: tracks pending, keeps the typed error, and counts down a
 * RATE_LIMITED answer's retry time. On success the person goes to the main page.
 */
export function useAuthSubmit(call: () => Promise<unknown>) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ShownError | null>(null);
  const retryIn = useCountdown(error?.retryAt ?? null);

  const submit = useCallback(async () => {
    setPending(true);
    setError(null);
    try {
      await call();
      router.replace("/");
    } catch (e) {
      setError(shownError(e));
      setPending(false);
    }
  }, [call, router]);

  return { submit, pending, error, setError, retryIn, blocked: pending || retryIn > 0 };
}
