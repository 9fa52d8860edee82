"use client";
import { useEffect, useState } from "react";
import type { ConnectionState, DimClient } from "@dim/client";
import type { AppError } from "@dim/shared";

export interface ConnectionView {
  state: ConnectionState;
  /** When a scheduled reconnect happens (epoch ms), for a countdown. */
  reconnectAt: number | null;
  /** Whether this client was connected before (a lost connection, not a first attempt). */
  wasConnected: boolean;
  /** The last error while not connected (why it is retrying), cleared once connected. */
  lastError: AppError | null;
}

const INITIAL: ConnectionView = { state: { status: "connecting", attempt: 0 }, reconnectAt: null, wasConnected: false, lastError: null };

/** The client's connection state, followed live. */
export function useConnectionState(client: DimClient | null): ConnectionView {
  const [value, setValue] = useState<ConnectionView>(INITIAL);
  useEffect(() => {
    if (!client) return;
    const next = (state: ConnectionState) =>
      setValue((v) => ({
        state,
        reconnectAt: state.status === "reconnecting" ? Date.now() + state.inMs : null,
        wasConnected: v.wasConnected || state.status === "connected",
        lastError: state.status === "connected" ? null : v.lastError,
      }));
    setValue(INITIAL);
    next(client.connectionState);
    const offState = client.on("state", next);
    const offError = client.on("error", (error) => {
      if (client.connectionState.status !== "connected") setValue((v) => ({ ...v, lastError: error }));
    });
    return () => {
      offState();
      offError();
    };
  }, [client]);
  return client ? value : INITIAL;
}
