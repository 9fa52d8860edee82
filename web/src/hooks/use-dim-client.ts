"use client";
import { useEffect, useState } from "react";
import { createFileClient, DimClient, gatewayPort } from "@dim/client";
import { gateway } from "@/lib/gateway";
import { hasIndexedDb, IdbClientStore } from "@/lib/idb-store";
import { IdbThumbnailCache } from "@/lib/idb-thumbnail-cache";

/**
 * One DimClient for the signed-in page: created and connected on mount, stopped on unmount,
 * persisted in IndexedDB (history and queued messages survive a reload, offline too).
 * The protocol (tokens, ACK clocks, reconnects, sync) is entirely the client library's.
 * Attachments upload to the same origin's /api/files with the session cookie; thumbnails seen
 * are kept in IndexedDB; `maxUploadBytes` (the server's limit, from the page) refuses larger
 * files before they are queued.
 */
export function useDimClient(enabled: boolean, maxUploadBytes: number | null = null): DimClient | null {
  const [client, setClient] = useState<DimClient | null>(null);
  useEffect(() => {
    if (!enabled) return;
    // IndexedDB keeps conversations, messages and the outbox across reloads and offline starts.
    const c = new DimClient({
      gateway: gatewayPort(gateway()),
      files: createFileClient({ baseUrl: "" }),
      ...(maxUploadBytes ? { maxUploadBytes } : {}),
      ...(hasIndexedDb() ? { store: new IdbClientStore(), thumbnails: new IdbThumbnailCache() } : {}),
    });
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
  }, [enabled, maxUploadBytes]);
  return client;
}
