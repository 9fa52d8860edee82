"use client";
import { useEffect, useState } from "react";
import { DimClient, gatewayPort } from "@dim/client";
import { gateway } from "@/lib/gateway";
import { hasIndexedDb, IdbClientStore } from "@/lib/idb-store";

/**
 * One DimClient for the signed-in page: created and connected on mount, stopped on unmount,
 * persisted in IndexedDB (history and queued messages survive a reload, offline too).
 * The protocol (tokens, ACK clocks, reconnects, sync) is entirely the client library's.
 */
export function useDimClient(enabled: boolean): DimClient | null {
  const [client, setClient] = useState<DimClient | null>(null);
  useEffect(() => {
    if (!enabled) return;
    // IndexedDB keeps conversations, messages and the outbox across reloads and offline starts.
    const c = new DimClient({ gateway: gatewayPort(gateway()), ...(hasIndexedDb() ? { store: new IdbClientStore() } : {}) });
    setClient(c);
    void c.connect();
    // The browser says the network is gone: believe it now (a socket on a dead link can look
    // open for long), so the banner says so and what is written waits, queued, as "Sending…".
    const offline = () => c.networkLost();
    // Back online: do not wait for the rest of the backoff.
    const online = () => c.reconnectNow();
    window.addEventListener("offline", offline);
    window.addEventListener("online", online);
    return () => {
      window.removeEventListener("offline", offline);
      window.removeEventListener("online", online);
      void c.stop();
      setClient(null);
    };
  }, [enabled]);
  return client;
}
