"use client";
import { useId, useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { useTranslations } from "@/i18n";

/** "Jump" in the chat header: to the first unread message (when there is one) or to a date. */
export function JumpMenu(props: { firstUnread: number | null; busy: boolean; onSeq: (seq: number) => void; onDay: (day: string) => void }) {
  const t = useTranslations("jump");
  const [day, setDay] = useState("");
  const details = useRef<HTMLDetailsElement>(null);
  const id = useId();
  const close = () => details.current?.removeAttribute("open");
  return (
    <details ref={details} className="relative ml-auto" data-testid="jump-menu">
      <summary className="cursor-pointer list-none rounded-md px-2.5 py-1 text-xs font-medium text-slate-600 hover:bg-slate-100 hover:text-slate-900 [&::-webkit-details-marker]:hidden">
        {t("summary")}
      </summary>
      <div className="absolute right-0 z-30 mt-1 w-64 space-y-3 rounded-md border border-slate-200 bg-surface p-3 shadow-lg">
        <Button
          variant="secondary"
          size="sm"
          className="w-full"
          disabled={props.firstUnread === null || props.busy}
          data-testid="jump-first-unread"
          onClick={() => {
            if (props.firstUnread !== null) props.onSeq(props.firstUnread);
            close();
          }}
        >
          {props.firstUnread === null ? t("noUnread") : t("firstUnread")}
        </Button>
        <form
          className="flex items-end gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            if (!day) return;
            props.onDay(day);
            close();
          }}
        >
          <span className="flex min-w-0 flex-1 flex-col">
            <label htmlFor={`${id}-day`} className="text-xs text-slate-600">
              {t("date")}
            </label>
            <input
              id={`${id}-day`}
              type="date"
              value={day}
              onChange={(e) => setDay(e.target.value)}
              data-testid="jump-date"
              className="rounded-md border border-slate-300 bg-surface px-2 py-1 text-sm text-slate-900"
            />
          </span>
          {/* Enabled while the date is empty (a submit then does nothing): no colour change as one is typed. */}
          <Button type="submit" size="sm" disabled={props.busy} data-testid="jump-date-go">
            {t("go")}
          </Button>
        </form>
      </div>
    </details>
  );
}
