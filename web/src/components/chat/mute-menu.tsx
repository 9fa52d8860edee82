"use client";
import { useRef, useState } from "react";
import { isMuted, MUTE_FOREVER, type MuteDuration, type MuteFrame } from "@dim/shared";
import { friendlyMessage, shownError } from "@/lib/errors";
import { gateway } from "@/lib/gateway";

const CHOICES: Array<{ duration: Exclude<MuteDuration, "off">; label: string }> = [
  { duration: "1h", label: "For 1 hour" },
  { duration: "8h", label: "For 8 hours" },
  { duration: "1w", label: "For 1 week" },
  { duration: "forever", label: "Until I unmute" },
];

/** "Muted until 18:30" / "Muted" for a mute's end. */
export function mutedText(mutedUntil: string): string {
  if (mutedUntil === MUTE_FOREVER) return "Muted";
  const until = new Date(mutedUntil);
  const sameDay = until.toDateString() === new Date().toDateString();
  return `Muted until ${sameDay ? until.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) : until.toLocaleString([], { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" })}`;
}

/**
 * The chat header's mute control (notifications.mute): no notifications from this conversation
 * for 1 h, 8 h, a week or until unmuted; every device of yours follows (the `mute` frame).
 */
export function MuteMenu(props: { conversationId: string; mutedUntil: string | null; onMuted: (frame: MuteFrame) => void }) {
  const details = useRef<HTMLDetailsElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const muted = isMuted(props.mutedUntil);
  const choose = async (duration: MuteDuration) => {
    setBusy(true);
    setError(null);
    try {
      props.onMuted(await gateway().notifications.mute.mutate({ conversationId: props.conversationId, duration }));
      details.current?.removeAttribute("open");
    } catch (e) {
      setError(friendlyMessage(shownError(e)));
    } finally {
      setBusy(false);
    }
  };
  const item = "block w-full rounded px-2 py-1.5 text-left text-sm text-slate-800 hover:bg-slate-100 disabled:opacity-60";
  return (
    <details ref={details} className="relative" data-testid="mute-menu" data-muted={muted ? "true" : "false"}>
      <summary className="cursor-pointer list-none rounded-md px-2.5 py-1 text-xs font-medium text-slate-600 hover:bg-slate-100 hover:text-slate-900 [&::-webkit-details-marker]:hidden">
        {muted ? "🔕 Muted" : "Mute"}
      </summary>
      <div className="absolute right-0 z-30 mt-1 w-56 rounded-md border border-slate-200 bg-surface p-2 shadow-lg">
        {muted && props.mutedUntil ? (
          <>
            <p className="px-2 pb-1 text-xs text-slate-600" data-testid="muted-until">
              {mutedText(props.mutedUntil)}
            </p>
            <button type="button" className={item} disabled={busy} onClick={() => void choose("off")} data-testid="unmute">
              Unmute
            </button>
          </>
        ) : (
          <p className="px-2 pb-1 text-xs text-slate-600">Mute notifications</p>
        )}
        {CHOICES.map((c) => (
          <button key={c.duration} type="button" className={item} disabled={busy} onClick={() => void choose(c.duration)} data-testid={`mute-${c.duration}`}>
            {c.label}
          </button>
        ))}
        {error ? (
          <p role="alert" className="px-2 pt-1 text-xs text-red-700">
            {error}
          </p>
        ) : null}
      </div>
    </details>
  );
}
