"use client";
import { useEffect, useState } from "react";
import { ErrorCode, type AppError } from "@dim/shared";
import type { ConnectionView } from "@/hooks/use-connection-state";
import { useCountdown } from "@/hooks/use-countdown";
import { Button } from "./ui/button";

function useOnline(): boolean {
  const [online, setOnline] = useState(true);
  useEffect(() => {
    const update = () => setOnline(navigator.onLine);
    update();
    window.addEventListener("online", update);
    window.addEventListener("offline", update);
    return () => {
      window.removeEventListener("online", update);
      window.removeEventListener("offline", update);
    };
  }, []);
  return online;
}

/** Why connecting fails, in words, for the banner. */
function reasonOf(error: AppError | null): string {
  if (!error) return "";
  switch (error.code) {
    case ErrorCode.NoNodeAvailable:
      return " (no chat server is available)";
    case ErrorCode.Internal:
      return error.message.startsWith("gateway unreachable") ? " (the server cannot be reached)" : "";
    default:
      return "";
  }
}

const TONE = {
  ok: "bg-emerald-50 text-emerald-800 border-emerald-200",
  wait: "bg-amber-50 text-amber-900 border-amber-200",
  bad: "bg-red-50 text-red-800 border-red-200",
} as const;

const DOT = { ok: "bg-emerald-500", wait: "bg-amber-500 animate-pulse", bad: "bg-red-500" } as const;

/** Always visible: connecting, connected to node X, reconnecting in n s, offline. */
export function ConnectionBanner({ view, onReconnect }: { view: ConnectionView; onReconnect: () => void }) {
  const online = useOnline();
  const seconds = useCountdown(view.reconnectAt);
  const { state } = view;

  let tone: keyof typeof TONE;
  let text: string;
  let action = false;
  /** Ticks every second: shown, but not announced each time (the live region would chatter). */
  let countdown = "";
  // Offline: the device has no network, or the server itself cannot be reached (every attempt
  // to reach the gateway fails) — history is then what this device kept.
  const serverUnreachable = state.status === "reconnecting" && view.lastError?.message.startsWith("gateway unreachable") === true;
  const offline = (!online && state.status !== "connected") || serverUnreachable;
  if (!online && state.status !== "connected") {
    tone = "bad";
    text = "Offline: no network. Showing saved messages; what you write is sent when the connection returns.";
  } else if (serverUnreachable) {
    tone = "bad";
    text = "Offline: the server cannot be reached. Showing saved messages; what you write is queued.";
    countdown = seconds > 0 ? `Retrying in ${seconds} s…` : "Retrying…";
    action = seconds > 1;
  } else {
    switch (state.status) {
      case "connected":
        tone = "ok";
        text = `Connected to ${state.nodeId}`;
        break;
      case "connecting":
        tone = "wait";
        text = state.attempt > 0 ? `Connecting… (attempt ${state.attempt + 1})` : "Connecting…";
        break;
      case "reconnecting":
        tone = "wait";
        text = `${view.wasConnected ? "Connection lost" : "Cannot connect"}${reasonOf(view.lastError)}.`;
        countdown = seconds > 0 ? `Reconnecting in ${seconds} s…` : "Reconnecting…";
        action = seconds > 1;
        break;
      case "offline":
        tone = "bad";
        text = `Offline${state.reason ? `: ${state.reason.message}` : ""}`;
        action = true;
        break;
      case "stopped":
        tone = "bad";
        text = "Disconnected";
        action = true;
        break;
    }
  }

  return (
    <div
      role="status"
      aria-live="polite"
      aria-atomic="true"
      data-connection={state.status}
      data-offline={offline ? "true" : "false"}
      className={`flex items-center gap-2 border-b px-4 py-1.5 text-xs ${TONE[tone]}`}>
      <span aria-hidden className={`h-2 w-2 shrink-0 rounded-full ${DOT[tone]}`} />
      <span className="min-w-0 flex-1 sm:truncate">
        {text}
        {countdown ? <span aria-hidden> {countdown}</span> : null}
      </span>
      {action ? (
        <Button variant="ghost" size="sm" className="ml-auto shrink-0" onClick={onReconnect}>
          Reconnect now
        </Button>
      ) : null}
    </div>
  );
}
