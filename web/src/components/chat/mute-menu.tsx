"use client";
import { useRef, useState } from "react";
import { isMuted, MUTE_FOREVER, type MuteDuration, type MuteFrame } from "@dim/shared";
import { useErrorText } from "@/hooks/use-error-text";
import { useFormatter, useTranslations, type Formatter, type Translator } from "@/i18n";
import { gateway } from "@/lib/gateway";

const CHOICES = ["1h", "8h", "1w", "forever"] as const satisfies ReadonlyArray<Exclude<MuteDuration, "off">>;

/** "Muted until 18:30" (today) / "Muted until Tue 3 Mar, 18:30" / "Muted until you unmute". */
export function mutedText(mutedUntil: string, t: Translator<"mute">, format: Formatter): string {
  if (mutedUntil === MUTE_FOREVER) return t("mutedForever");
  const until = new Date(mutedUntil);
  const sameDay = until.toDateString() === new Date().toDateString();
  const time = sameDay
    ? format.dateTime(until, { hour: "2-digit", minute: "2-digit" })
    : format.dateTime(until, { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
  return t("mutedUntil", { time });
}

/**
 * The chat header's mute control (notifications.mute): no notifications from this conversation
 * for 1 h, 8 h, a week or until unmuted; every device of yours follows (the `mute` frame).
 */
export function MuteMenu(props: { conversationId: string; mutedUntil: string | null; onMuted: (frame: MuteFrame) => void }) {
  const details = useRef<HTMLDetailsElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const t = useTranslations("mute");
  const format = useFormatter();
  const errorText = useErrorText();
  const muted = isMuted(props.mutedUntil);
  const choose = async (duration: MuteDuration) => {
    setBusy(true);
    setError(null);
    try {
      props.onMuted(await gateway().notifications.mute.mutate({ conversationId: props.conversationId, duration }));
      details.current?.removeAttribute("open");
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const item = "block w-full rounded px-2 py-1.5 text-left text-sm text-slate-800 hover:bg-slate-100 disabled:opacity-60";
  return (
    <details ref={details} className="relative" data-testid="mute-menu" data-muted={muted ? "true" : "false"}>
      <summary className="cursor-pointer list-none rounded-md px-2.5 py-1 text-xs font-medium text-slate-600 hover:bg-slate-100 hover:text-slate-900 [&::-webkit-details-marker]:hidden">
        {muted ? (
          <>
            <span aria-hidden>🔕 </span>
            {t("mutedButton")}
          </>
        ) : (
          t("button")
        )}
      </summary>
      <div className="absolute right-0 z-30 mt-1 w-56 rounded-md border border-slate-200 bg-surface p-2 shadow-lg">
        {muted && props.mutedUntil ? (
          <>
            <p className="px-2 pb-1 text-xs text-slate-600" data-testid="muted-until">
              {mutedText(props.mutedUntil, t, format)}
            </p>
            <button type="button" className={item} disabled={busy} onClick={() => void choose("off")} data-testid="unmute">
              {t("unmute")}
            </button>
          </>
        ) : (
          <p className="px-2 pb-1 text-xs text-slate-600">{t("heading")}</p>
        )}
        {CHOICES.map((duration) => (
          <button key={duration} type="button" className={item} disabled={busy} onClick={() => void choose(duration)} data-testid={`mute-${duration}`}>
            {t(`choices.${duration}`)}
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
