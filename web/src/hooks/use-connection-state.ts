"use client";
import { useEffect, useState } from "react";
import type { ConnectionState, DimClient } from "@dim/client";

export interface ConnectionView {
  state: ConnectionState;
  /** When a scheduled reconnect happens (epoch ms), for a countdown. */
  reconnectAt: number | null;
}

const INITIAL: ConnectionView = { state: { status: "connecting", attempt: 0 }, reconnectAt: null };

function viewOf(state: ConnectionState): ConnectionView {
  return { state, reconnectAt: state.status === "reconnecting" ? Date.now() + state.inMs : null };
}

/** The client's connection state, followed live. */
export function useConnectionState(client: DimClient | null): ConnectionView {
  const [value, setValue] = useState<ConnectionView>(INITIAL);
  useEffect(() => {
    if (!client) return;
    setValue(viewOf(client.connectionState));
    return client.on("state", (state) => setValue(viewOf(state)));
  }, [client]);
  return client ? value : INITIAL;
}
