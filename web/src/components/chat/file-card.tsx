"use client";
import { formatBytes, type ChatAttachment } from "@dim/client";
import { FileIcon } from "@/components/ui/icons";
import { useTranslations } from "@/i18n";
import { fileTypeLabel } from "@/lib/attachment-text";
import { useAttachmentActions } from "./attachment-context";

/** A file: its name, type and size, and a download link once it is on the server. */
export function FileCard({ attachment, downloadable }: { attachment: ChatAttachment; downloadable: boolean }) {
  const actions = useAttachmentActions();
  const t = useTranslations();
  const id = attachment.id;
  return (
    <div data-testid="file-attachment" className="flex w-72 max-w-full items-center gap-3 rounded-xl border border-slate-200 bg-slate-50 p-3">
      <span aria-hidden className="flex h-10 w-10 shrink-0 items-center justify-center rounded-lg bg-brand-100 text-brand-700 dark:text-sky-200">
        <FileIcon />
      </span>
      <div className="min-w-0 flex-1">
        <p className="truncate text-sm font-medium text-slate-900" title={attachment.name} data-testid="file-name">
          {attachment.name}
        </p>
        <p className="text-xs text-slate-600" data-testid="file-meta">
          {fileTypeLabel(attachment.mime, attachment.name, t)} · {formatBytes(attachment.size)}
        </p>
      </div>
      {downloadable && id ? (
        <a
          href={actions.fileUrl(id)}
          download={attachment.name}
          aria-label={t("viewer.downloadName", { name: attachment.name })}
          data-testid="download"
          className="shrink-0 rounded-md border border-slate-300 bg-surface px-2.5 py-1 text-xs font-medium text-slate-800 hover:bg-slate-100"
        >
          {t("viewer.download")}
        </a>
      ) : null}
    </div>
  );
}
