"use client";
import { useEffect, useRef } from "react";
import type { DimClient, DimClientEvents } from "@dim/client";

/** Subscribes to a DimClient event for the component's life; the latest handler is always used. */
export function useClientEvent<K extends keyof DimClientEvents & string>(
  client: DimClient | null,
  event: K,
  handler: (payload: DimClientEvents[K]) => void,
): void {
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => {
    if (!client) return;
    return client.on(event, (payload) => ref.current(payload));
  }, [client, event]);
}
