"use client";
import { useEffect, useState } from "react";
import { DimClient, gatewayPort } from "@dim/client";
import { gateway } from "@/lib/gateway";

/**
 * One DimClient for the signed-in page: created and connected on mount, stopped on unmount.
 * The protocol (tokens, ACK clocks, reconnects, sync) is entirely the client library's.
 */
export function useDimClient(enabled: boolean): DimClient | null {
  const [client, setClient] = useState<DimClient | null>(null);
  useEffect(() => {
    if (!enabled) return;
    const c = new DimClient({ gateway: gatewayPort(gateway()) });
    setClient(c);
    void c.connect();
    // Back online: do not wait for the rest of the backoff.
    const online = () => c.reconnectNow();
    window.addEventListener("online", online);
    return () => {
      window.removeEventListener("online", online);
      void c.stop();
      setClient(null);
    };
  }, [enabled]);
  return client;
}
