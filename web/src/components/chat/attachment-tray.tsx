"use client";
import { formatBytes } from "@dim/client";
import { FileIcon } from "@/components/ui/icons";
import type { AttachmentDraft } from "@/hooks/use-attachment-drafts";
import { useTranslations } from "@/i18n";

/** The picked files above the composer: a preview (images) or name and size, and Remove. */
export function AttachmentTray({ drafts, notice, onRemove }: { drafts: AttachmentDraft[]; notice: string | null; onRemove: (key: string) => void }) {
  const t = useTranslations("tray");
  if (drafts.length === 0 && !notice) return null;
  return (
    <div className="mb-2" data-testid="attachment-tray">
      <ul aria-label={t("label")} className="flex gap-2 overflow-x-auto pb-1">
        {drafts.map((d) => (
          <li key={d.key} data-testid="draft" data-problem={d.problem ? "true" : "false"} className={`relative w-28 shrink-0 rounded-lg border bg-surface p-1.5 ${d.problem ? "border-red-300" : "border-slate-200"}`}>
            {d.previewUrl ? (
              // eslint-disable-next-line @next/next/no-img-element -- a local object URL
              <img src={d.previewUrl} alt={t("preview", { name: d.file.name })} className="h-20 w-full rounded object-cover" data-testid="draft-preview" />
            ) : (
              <span aria-hidden className="flex h-20 w-full items-center justify-center rounded bg-slate-100 text-slate-600">
                <FileIcon className="h-8 w-8" />
              </span>
            )}
            <p className="mt-1 truncate text-[11px] font-medium text-slate-800" title={d.file.name}>
              {d.file.name}
            </p>
            <p className="text-[11px] text-slate-600">{formatBytes(d.file.size)}</p>
            <button
              type="button"
              onClick={() => onRemove(d.key)}
              aria-label={t("remove", { name: d.file.name })}
              className="absolute top-1 right-1 inline-flex h-6 w-6 items-center justify-center rounded-full bg-black/70 text-sm text-white hover:bg-black"
            >
              <span aria-hidden>×</span>
            </button>
          </li>
        ))}
      </ul>
      {drafts.filter((d) => d.problem).map((d) => (
        <p key={d.key} role="alert" className="mt-1 text-xs text-red-700" data-testid="draft-problem">
          {d.problem}
        </p>
      ))}
      {notice ? (
        <p role="alert" className="mt-1 text-xs text-amber-700">
          {notice}
        </p>
      ) : null}
    </div>
  );
}
