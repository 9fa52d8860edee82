"use client";
import type { SystemEvent } from "@dim/shared";
import { useFormatter, useTranslations } from "@/i18n";
import { shortTime } from "@/lib/format";
import { systemText, type SystemTextContext } from "@/lib/system-text";

/** A group change in the message log: centred, in words, with its time. */
export function SystemRow({ system, senderId, createdAt, seq, ctx }: { system: SystemEvent | null; senderId: string | null; createdAt: string; seq: number | null; ctx: SystemTextContext }) {
  const t = useTranslations();
  const format = useFormatter();
  const text = system ? systemText(system, senderId, ctx, t) : t("system.changed");
  return (
    <li className="mt-2 flex justify-center py-1" data-testid="system-message" data-system-type={system?.type} data-seq={seq ?? undefined}>
      <p className="max-w-[85%] rounded-full bg-slate-100 px-3 py-1 text-center text-xs text-slate-600">
        {text}
        <span className="sr-only">, </span>
        <time dateTime={createdAt} className="ml-2 text-[10px] text-slate-600">
          {shortTime(createdAt, format)}
        </time>
      </p>
    </li>
  );
}
