"use client";
import { useEffect, useId, useState } from "react";
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
    case ErrorCode.LimitExceeded:
      return " (this account is connected on too many devices or tabs: close one)";
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

/** What operators want to know about the link; people never need it. */
function detailsOf(state: ConnectionView["state"], lastError: AppError | null): string {
  switch (state.status) {
    case "connected":
      return `Chat server ${state.nodeId} · connection ${state.connectionId}`;
    case "offline":
      return state.reason ? `Closed: ${state.reason.message} (${state.reason.code})` : "Not connected";
    default:
      return lastError ? `Last error: ${lastError.code}: ${lastError.message}` : "Not connected";
  }
}

/** Always visible: connecting, connected, reconnecting in n s, offline; details on demand. */
export function ConnectionBanner({ view, onReconnect }: { view: ConnectionView; onReconnect: () => void }) {
  const online = useOnline();
  const seconds = useCountdown(view.reconnectAt);
  const { state } = view;
  const detailsId = useId();
  const [detailsOpen, setDetailsOpen] = useState(false);

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
        // Which node is an operator's concern (and changes between reloads): under "details".
        text = "Connected";
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
        // The close reason is for operators (details); people get a sentence.
        text = "Offline: the server ended the connection.";
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
      data-connection={state.status}
      data-offline={offline ? "true" : "false"}
      data-node-id={state.status === "connected" ? state.nodeId : undefined}
      className={`border-b px-4 py-1.5 text-xs ${TONE[tone]}`}>
      <div className="flex items-center gap-2">
        <span aria-hidden className={`h-2 w-2 shrink-0 rounded-full ${DOT[tone]}`} />
        <span role="status" aria-live="polite" aria-atomic="true" className="min-w-0 flex-1 sm:truncate">
          {text}
          {countdown ? <span aria-hidden> {countdown}</span> : null}
        </span>
        {action ? (
          <Button variant="ghost" size="sm" className="ml-auto shrink-0" onClick={onReconnect}>
            Reconnect now
          </Button>
        ) : null}
        <Button
          variant="ghost"
          size="sm"
          className="shrink-0"
          aria-expanded={detailsOpen}
          aria-controls={detailsId}
          aria-label="Connection details"
          title="Connection details"
          onClick={() => setDetailsOpen((open) => !open)}>
          <span aria-hidden>ⓘ</span>
        </Button>
      </div>
      {detailsOpen ? (
        <p id={detailsId} data-testid="connection-details" className="mt-1 pl-4 font-mono break-all">
          {detailsOf(state, view.lastError)}
        </p>
      ) : null}
    </div>
  );
}
