"use client";
import { useEffect, useState } from "react";
import type { DimClient } from "@dim/client";
import type { ContactPresence } from "@dim/shared";
import { useClientEvent } from "./use-client-event";

/** Every contact's online / last seen, by user id, kept current; re-rendered each minute so "last seen … ago" moves. */
export function usePresence(client: DimClient | null): { byId: ReadonlyMap<string, ContactPresence>; now: Date } {
  const [byId, setById] = useState<ReadonlyMap<string, ContactPresence>>(() => toMap(client));
  const [now, setNow] = useState(() => new Date());
  useEffect(() => setById(toMap(client)), [client]);
  useClientEvent(client, "presence", () => setById(toMap(client)));
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), 60_000);
    return () => clearInterval(timer);
  }, []);
  return { byId, now };
}

function toMap(client: DimClient | null): ReadonlyMap<string, ContactPresence> {
  return new Map((client?.presence() ?? []).map((p) => [p.userId, p]));
}
