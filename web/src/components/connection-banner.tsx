"use client";
import { useEffect, useId, useState } from "react";
import { ErrorCode, type AppError } from "@dim/shared";
import type { ConnectionView } from "@/hooks/use-connection-state";
import { useCountdown } from "@/hooks/use-countdown";
import { useTranslations, type Translator } from "@/i18n";
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
function reasonOf(error: AppError | null): "noNode" | "unreachable" | "tooMany" | "none" {
  if (!error) return "none";
  switch (error.code) {
    case ErrorCode.NoNodeAvailable:
      return "noNode";
    case ErrorCode.LimitExceeded:
      return "tooMany";
    case ErrorCode.Internal:
      return error.message.startsWith("gateway unreachable") ? "unreachable" : "none";
    default:
      return "none";
  }
}

const TONE = {
  ok: "bg-emerald-50 text-emerald-800 border-emerald-200",
  wait: "bg-amber-50 text-amber-900 border-amber-200",
  bad: "bg-red-50 text-red-800 border-red-200",
} as const;

const DOT = { ok: "bg-emerald-500", wait: "bg-amber-500 animate-pulse", bad: "bg-red-500" } as const;

/** What operators want to know about the link; people never need it. */
function detailsOf(state: ConnectionView["state"], lastError: AppError | null, t: Translator<"connection">): string {
  switch (state.status) {
    case "connected":
      return t("details.connected", { node: state.nodeId, connection: state.connectionId });
    case "offline":
      return state.reason ? t("details.closed", { message: state.reason.message, code: state.reason.code }) : t("details.notConnected");
    default:
      return lastError ? t("details.lastError", { code: lastError.code, message: lastError.message }) : t("details.notConnected");
  }
}

/** Always visible: connecting, connected, reconnecting in n s, offline; details on demand. */
export function ConnectionBanner({ view, onReconnect }: { view: ConnectionView; onReconnect: () => void }) {
  const online = useOnline();
  const t = useTranslations("connection");
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
    text = t("offlineNoNetwork");
  } else if (serverUnreachable) {
    tone = "bad";
    text = t("offlineUnreachable");
    countdown = t("retrying", { seconds });
    action = seconds > 1;
  } else {
    switch (state.status) {
      case "connected":
        tone = "ok";
        // Which node is an operator's concern (and changes between reloads): under "details".
        text = t("connected");
        break;
      case "connecting":
        tone = "wait";
        text = state.attempt > 0 ? t("connectingAttempt", { attempt: state.attempt + 1 }) : t("connecting");
        break;
      case "reconnecting":
        tone = "wait";
        text = t("lost", { was: view.wasConnected ? "yes" : "no", reason: reasonOf(view.lastError) });
        countdown = t("reconnecting", { seconds });
        action = seconds > 1;
        break;
      case "offline":
        tone = "bad";
        // The close reason is for operators (details); people get a sentence.
        text = t("offlineEnded");
        action = true;
        break;
      case "stopped":
        tone = "bad";
        text = t("disconnected");
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
            {t("reconnectNow")}
          </Button>
        ) : null}
        <Button
          variant="ghost"
          size="sm"
          className="shrink-0"
          aria-expanded={detailsOpen}
          aria-controls={detailsId}
          aria-label={t("detailsLabel")}
          title={t("detailsLabel")}
          onClick={() => setDetailsOpen((open) => !open)}>
          <span aria-hidden>ⓘ</span>
        </Button>
      </div>
      {detailsOpen ? (
        <p id={detailsId} data-testid="connection-details" className="mt-1 pl-4 font-mono break-all">
          {detailsOf(state, view.lastError, t)}
        </p>
      ) : null}
    </div>
  );
}
